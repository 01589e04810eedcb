"""The promise rule by meaning: with a refund policy published, quoting it passes and granting anything fails."""

import pytest

from concierge.guard.output import OutputContext, check_reply
from concierge.guard.promises import promised
from tests.fakes.fact_model import PROMISES

# Per language: the property's refund policy (published, and quoted as is), a reply that grants a refund,
# a reply that approves a late check-out, and a reply that declines and hands over.
CASES = {
    "en": (
        "Cancellations more than 14 days before arrival get a full refund.",
        "Of course. I have approved a full refund for you, and you will receive a full refund today.",
        "No problem, I have approved your late check-out.",
        "I cannot approve a refund myself; a member of our team will follow up.",
    ),
    "es": (
        "Las cancelaciones con más de 14 días de antelación tienen reembolso completo.",
        "Por supuesto, he aprobado el reembolso completo de su estancia.",
        "Sin problema, le confirmo la salida tardía.",
        "No puedo aprobar un reembolso; una persona del equipo le escribirá.",
    ),
    "fr": (
        "Les annulations plus de 14 jours avant l'arrivée sont remboursées intégralement.",
        "Bien sûr, je vous ai accordé un remboursement complet.",
        "Sans problème, votre départ tardif est confirmé.",
        "Je ne peux pas accorder de remboursement ; un membre de l'équipe vous répondra.",
    ),
    "de": (
        "Bei Stornierung mehr als 14 Tage vor Anreise wird der volle Betrag erstattet.",
        "Natürlich, ich habe Ihnen eine volle Rückerstattung genehmigt.",
        "Kein Problem, Ihr später Check-out ist bestätigt.",
        "Eine Rückerstattung kann ich nicht genehmigen; jemand aus dem Team meldet sich.",
    ),
    "it": (
        "Le cancellazioni oltre 14 giorni prima dell'arrivo hanno il rimborso completo.",
        "Certo, ho approvato il rimborso completo del soggiorno.",
        "Nessun problema, il check-out posticipato è confermato.",
        "Non posso approvare un rimborso; qualcuno del team ti risponderà.",
    ),
    "nl": (
        "Bij annulering meer dan 14 dagen voor aankomst wordt alles terugbetaald.",
        "Natuurlijk, ik heb een volledige terugbetaling goedgekeurd.",
        "Geen probleem, laat uitchecken is bevestigd.",
        "Ik kan geen terugbetaling goedkeuren; iemand van het team neemt contact op.",
    ),
    "pl": (
        "Przy anulowaniu ponad 14 dni przed przyjazdem przysługuje pełny zwrot pieniędzy.",
        "Oczywiście, zatwierdziłem pełny zwrot pieniędzy.",
        "Bez problemu, późniejsze wymeldowanie jest potwierdzone.",
        "Nie mogę zatwierdzić zwrotu; ktoś z zespołu się odezwie.",
    ),
    "pt": (
        "Cancelamentos com mais de 14 dias de antecedência têm reembolso total.",
        "Claro, aprovei o reembolso total da sua estadia.",
        "Sem problema, o check-out tardio está confirmado.",
        "Não posso aprovar um reembolso; alguém da equipe vai responder.",
    ),
    "ja": (
        "到着の14日前までのキャンセルは全額返金となります。",
        "もちろんです。全額返金を承認しました。",
        "レイトチェックアウトを手配しました。",
        "返金を承認することはできません。担当者からご連絡します。",
    ),
    "zh": (
        "入住前14天以上取消可获全额退款。",
        "当然，我已经为您批准了全额退款。",
        "没问题，已为您安排了延迟退房。",
        "我无法批准退款，我们的工作人员会与您联系。",
    ),
}


def context(language: str, policy: str) -> OutputContext:
    return OutputContext(grounding=[policy], secrets=[], policy=[policy], language=language)


@pytest.mark.parametrize("language", sorted(CASES))
def test_quoting_the_refund_policy_passes(language: str) -> None:
    policy = CASES[language][0]
    assert check_reply(policy, context(language, policy)) == []


@pytest.mark.parametrize("language", sorted(CASES))
def test_granting_a_refund_fails_although_a_refund_policy_is_published(language: str) -> None:
    policy, granted = CASES[language][0], CASES[language][1]
    kinds = [f.kind for f in check_reply(granted, context(language, policy))]
    assert "promise:refund" in kinds


@pytest.mark.parametrize("language", sorted(CASES))
def test_approving_a_late_check_out_fails(language: str) -> None:
    policy, late = CASES[language][0], CASES[language][2]
    assert promised(late, [policy], language=language) == ["late_check_out"]


@pytest.mark.parametrize("language", sorted(CASES))
def test_declining_and_handing_over_is_no_promise(language: str) -> None:
    policy, declined = CASES[language][0], CASES[language][3]
    assert promised(declined, [policy], language=language) == []


@pytest.mark.parametrize("language", sorted(PROMISES))
def test_the_hostile_fake_models_refund_is_caught_in_every_language(language: str) -> None:
    policy = CASES[language][0]
    assert promised(PROMISES[language], [policy], language=language) == ["refund"]


def test_quoting_a_priced_offer_passes_and_approving_it_fails() -> None:
    offer = "Late check-out until 13:00 is available for 20 EUR, on request."
    assert promised(f"Here is our policy: {offer}", [offer]) == []
    assert promised("I have booked your late check-out until 13:00 for 20 EUR.", [offer]) == ["late_check_out"]


@pytest.mark.parametrize(
    ("reply", "kind"),
    [
        ("Good news, I have added an extra night to your booking.", "extra_night"),
        ("Sure, an extra guest is fine, no charge.", "extra_guest"),
        ("As a goodwill gesture, we will give you a voucher.", "compensation"),
        ("You can check in early at 12:00, enjoy!", "early_check_in"),
    ],
)
def test_every_concession_is_judged(reply: str, kind: str) -> None:
    assert promised(reply, ["Check-in from 15:00."]) == [kind]
