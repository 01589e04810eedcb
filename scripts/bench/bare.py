"""The ceiling for the webhook path on this machine: a FastAPI endpoint that only parses the form.

Served by `scripts/bench/load.py` with the same uvicorn as `concierge serve`.
"""

from fastapi import FastAPI, Request, Response

app = FastAPI()


@app.post("/twilio/messages")
async def messages(request: Request) -> Response:
    """Parse the form like the real webhook, store nothing, answer empty TwiML."""
    form = await request.form()
    assert "MessageSid" in form
    return Response('<?xml version="1.0" encoding="UTF-8"?><Response/>', media_type="application/xml")
