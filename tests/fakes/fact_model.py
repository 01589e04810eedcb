"""The fact-seeking fake model for tests: the server `concierge eval --mode model` starts, over real HTTP.

It lives in the package (concierge/ops/evals/fake_model.py) because the command line starts it; tests import it
from here like the other fakes:

    with FactSeekingModel() as fake:
        fake.expect(Expectation(facts=("Check-in is from 16:00.",), topics=("check_in",)))
        ...  # point OPENAI_BASE_URL at fake.base_url
"""

from concierge.ops.evals.fake_model import MODEL, NO_ANSWER, Expectation, FactSeekingModel
from concierge.ops.evals.fake_replies import PROMISES

__all__ = ["MODEL", "NO_ANSWER", "PROMISES", "Expectation", "FactSeekingModel"]
