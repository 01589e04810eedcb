"""Greetings and thanks in the supported languages: messages that need a polite word, not the knowledge base."""

from concierge.core.text import fold

GREETINGS = frozenset(
    fold(w)
    for w in """hi hello hey hola buenas bonjour salut coucou hallo moin servus guten tag morgen ciao salve
    buongiorno buonasera olá ola oi bom dia hoi goedemorgen goedendag dag cześć witam dzień dobry good morning
    evening afternoon buenos dias tardes noches bonsoir こんにちは こんばんは おはよう 你好 您好""".split()
)
THANKS = frozenset(
    fold(w)
    for w in """thanks thank you thx ty ok okay great perfect cheers gracias vale perfecto genial merci parfait
    super danke dankeschön vielen dank grazie mille perfetto obrigado obrigada bedankt dank je wel dziękuję dzięki
    a lot much so very many muchas muchísimas mil beaucoup bien tante molte muito muitíssimo hartelijk heel erg
    bardzo wielkie serdecznie ありがとう ありがとうございます どうも 谢谢 多谢 非常感谢 感谢""".split()
)
