"""A small agent in Python, speaking the Anthropic Messages and OpenAI Chat Completions wire
formats with httpx (Debian's python3-httpx), as an official Python SDK would through its base URL.

Usage: python3 agent.py <proxy url> <question>. Prints one JSON object: what the agent saw.
"""
import json
import sys
import uuid

import httpx

base, question = sys.argv[1], sys.argv[2]
headers = {"x-api-key": "py-" + uuid.uuid4().hex, "anthropic-version": "2023-06-01"}
out = {}


def failed(response):
    """An HTTP error as an SDK would raise it: its status and the message in its body."""
    body = response.json()
    message = body.get("message") or body.get("error", {}).get("message")
    return {"status": response.status_code, "message": message}


def sse_events(response):
    """The data of each server-sent event, as the SDKs' stream readers split them. Lines are
    split here: httpx 0.23's iter_lines can cut a line where a network chunk ends."""
    pending = ""
    for text in response.iter_text():
        pending += text
        *lines, pending = pending.split("\n")
        for line in lines:
            if line.startswith("data: "):
                yield line[len("data: "):]


with httpx.Client(timeout=30) as client:
    # The run's nondeterminism, through the proxy: a clock reading and an id.
    out["now"] = client.get(f"{base}/__trace/draw/clock.wall").json()["value"]
    out["session"] = client.get(f"{base}/__trace/draw/uuid.v4").json()["value"]

    # Anthropic, whole.
    ask = {"model": "claude-test", "max_tokens": 64, "messages": [{"role": "user", "content": question}]}
    response = client.post(f"{base}/anthropic/v1/messages", json=ask, headers=headers)
    if response.status_code != 200:
        out["error"] = failed(response)
        print(json.dumps(out))
        sys.exit(0)
    out["answer"] = response.json()["content"][0]["text"]

    # Anthropic, streamed: text deltas put back together.
    streamed = []
    with client.stream("POST", f"{base}/anthropic/v1/messages", json={**ask, "stream": True}, headers=headers) as response:
        for data in sse_events(response):
            event = json.loads(data)
            if event["type"] == "content_block_delta" and event["delta"]["type"] == "text_delta":
                streamed.append(event["delta"]["text"])
    out["streamed"] = "".join(streamed)

    # OpenAI Chat Completions, streamed.
    chat = {"model": "gpt-test", "stream": True, "messages": [{"role": "user", "content": "And OpenAI?"}]}
    deltas = []
    with client.stream("POST", f"{base}/openai/v1/chat/completions", json=chat,
                       headers={"authorization": "Bearer py-" + uuid.uuid4().hex}) as response:
        for data in sse_events(response):
            if data == "[DONE]":
                break
            for choice in json.loads(data)["choices"]:
                deltas.append(choice["delta"].get("content") or "")
    out["openai"] = "".join(deltas)

print(json.dumps(out))
