"""The Python `openai` package against the gateway: the probe through each tenant's adapter, non-streaming and
streaming, plus the 404 for an unknown model. Prints one JSON object; the Node e2e test asserts on it.

    python e2e/python_client.py BASE_URL PROBE TENANT=KEY [TENANT=KEY ...]
"""

import json
import sys

import openai
from openai import OpenAI


def main() -> None:
    base_url, probe, *pairs = sys.argv[1:]
    out: dict = {"openai_version": openai.__version__, "tenants": {}}
    for pair in pairs:
        tenant, key = pair.split("=", 1)
        client = OpenAI(base_url=base_url, api_key=key, max_retries=0, timeout=300)
        messages = [{"role": "user", "content": probe}]
        r = client.chat.completions.create(model=tenant, messages=messages, temperature=0, max_tokens=12)
        stream = client.chat.completions.create(
            model=tenant, messages=messages, temperature=0, max_tokens=12, stream=True
        )
        text, models = "", set()
        for chunk in stream:
            models.add(chunk.model)
            if chunk.choices and chunk.choices[0].delta.content:
                text += chunk.choices[0].delta.content
        try:
            client.chat.completions.create(model="no-such-adapter", messages=messages, max_tokens=2)
            missing = None
        except openai.NotFoundError as err:
            missing = {"status": err.status_code, "code": err.code, "type": getattr(err, "type", None)}
        out["tenants"][tenant] = {
            "content": r.choices[0].message.content,
            "model": r.model,
            "stream_content": text,
            "stream_models": sorted(models),
            "not_found": missing,
        }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
