"""The Python `openai` package against the gateway's Responses API: responses.create, responses.stream
(get_final_response) and responses.parse with pydantic, plus file_search. Prints one JSON object; the Node test
(test/responses/python-sdk.test.ts, and the real-vLLM lane) asserts on it.

    python client.py BASE_URL API_KEY MODEL [--input TEXT] [--file-search COLLECTION QUESTION]
"""

import json
import sys
from typing import Literal

import openai
from openai import OpenAI
from pydantic import BaseModel


class Ticket(BaseModel):
    department: Literal["legal", "finance", "hr"]
    priority: int


def main() -> None:
    base_url, key, model, *rest = sys.argv[1:]
    prompt = "Which department is answering?"
    if rest[:1] == ["--input"]:
        prompt, rest = rest[1], rest[2:]
    client = OpenAI(base_url=base_url, api_key=key, max_retries=0, timeout=300)
    out: dict = {"openai_version": openai.__version__}

    r = client.responses.create(model=model, input=prompt, temperature=0, max_output_tokens=100)
    out["create"] = {"id": r.id, "status": r.status, "model": r.model, "text": r.output_text, "usage": r.usage.model_dump()}

    events = []
    with client.responses.stream(model=model, input=prompt, temperature=0, max_output_tokens=100) as stream:
        for event in stream:
            events.append(event.type)
        final = stream.get_final_response()
    out["stream"] = {"text": final.output_text, "events": events, "status": final.status}

    try:
        parsed = client.responses.parse(model=model, input="Route this ticket.", text_format=Ticket, max_output_tokens=60)
        out["parse"] = {
            "status": parsed.status,
            "parsed": parsed.output_parsed.model_dump() if parsed.output_parsed else None,
            "text": parsed.output_text,
        }
    except Exception as e:  # a real tiny model may run out of tokens mid-document: reported, not hidden
        out["parse"] = {"status": "error", "parsed": None, "text": f"{type(e).__name__}: {e}"}

    out["retrieve"] = client.responses.retrieve(r.id).output_text == r.output_text

    if rest[:1] == ["--file-search"]:
        collection, question = rest[1], rest[2]
        fs = client.responses.create(
            model=model,
            input=question,
            tools=[{"type": "file_search", "vector_store_ids": [collection]}],
            include=["file_search_call.results"],
            max_output_tokens=40,
        )
        search = next(o for o in fs.output if o.type == "file_search_call")
        message = next(o for o in fs.output if o.type == "message")
        with client.responses.stream(
            model=model,
            input=question,
            tools=[{"type": "file_search", "vector_store_ids": [collection]}],
            max_output_tokens=100,
        ) as stream:
            annotated = [e.annotation_index for e in stream if e.type == "response.output_text.annotation.added"]
            streamed = stream.get_final_response()
        streamed_message = next(o for o in streamed.output if o.type == "message")
        out["file_search"] = {
            "results": [x.model_dump() for x in (search.results or [])],
            "text": fs.output_text,
            "annotations": [a.model_dump() for a in message.content[0].annotations],
            "stream_annotation_events": annotated,
            "stream_annotations": [a.model_dump() for a in streamed_message.content[0].annotations],
        }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
