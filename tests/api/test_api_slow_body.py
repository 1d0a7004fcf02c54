"""Issue 12, item 11 (in part): a request body that arrives too slowly gets 408, never holds
a worker forever."""

from __future__ import annotations

import asyncio

from plexnav.api.middleware import SlowBodyTimeout


def test_a_body_slower_than_the_timeout_gets_408():
    sent: list[dict] = []

    async def app(scope, receive, send):
        while True:
            message = await receive()
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    async def slow_receive():
        await asyncio.sleep(5)
        return {"type": "http.request", "body": b"x", "more_body": False}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/api/v1/assess", "headers": []}
    asyncio.run(SlowBodyTimeout(app, seconds=0.2)(scope, slow_receive, send))
    assert sent[0]["status"] == 408


def test_a_prompt_body_passes(client):
    assert client.post("/api/v1/auth/login", json={"username": "x", "password": "y"}).status_code == 401
