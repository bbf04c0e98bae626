#!/usr/bin/env python3
"""Checks `yuqing serve` with the official `openai` Python client (PyPI), outside CI.

Usage: python3 tools/check_openai_client.py [--yuqing build/yuqing] [--data tests/data]
Starts the server on the tiny Qwen3 chat fixture with the Qwen3 tokenizer, then drives it through
openai.OpenAI: models.list, chat.completions (plain, streamed with usage, n=2, logprobs, stop),
completions (text and token-id prompts), and an error surfaced as openai.BadRequestError.
Needs `pip install openai` in a venv outside the repository.
"""
import argparse
import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import openai


def start_server(yuqing, data, work):
    tok = os.path.join(work, "qwen3")
    os.makedirs(tok)
    with gzip.open(os.path.join(data, "tokenizers/qwen3/tokenizer.json.gz")) as src, \
            open(os.path.join(tok, "tokenizer.json"), "wb") as dst:
        shutil.copyfileobj(src, dst)
    shutil.copy(os.path.join(data, "tokenizers/qwen3/tokenizer_config.json"), tok)
    log = open(os.path.join(work, "log"), "w+")
    proc = subprocess.Popen([yuqing, "serve", "--model", os.path.join(data, "hf/qwen3-chat"), "--tokenizer", tok,
                             "--port", "0", "--api-key", "k"], stderr=log)
    for _ in range(100):
        time.sleep(0.1)
        log.seek(0)
        m = re.search(r"http://127\.0\.0\.1:(\d+)", log.read())
        if m:
            return proc, int(m.group(1))
    proc.kill()
    sys.exit("server did not start")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--yuqing", default="build/yuqing")
    ap.add_argument("--data", default="tests/data")
    args = ap.parse_args()
    ref = json.load(open(os.path.join(args.data, "hf/qwen3-chat/reference.json")))
    turn = ref["turns"][0]
    with tempfile.TemporaryDirectory() as work:
        proc, port = start_server(args.yuqing, args.data, work)
        try:
            client = openai.OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key="k")
            assert [m.id for m in client.models.list().data] == ["qwen3-chat"]
            r = client.chat.completions.create(model="x", messages=turn["messages"], temperature=0, max_tokens=12)
            assert r.choices[0].message.content == turn["reply_text"], r.choices[0].message.content
            assert r.usage.completion_tokens == 12 and r.choices[0].finish_reason == "length"
            chunks = list(client.chat.completions.create(model="x", messages=turn["messages"], temperature=0,
                                                         max_tokens=12, stream=True,
                                                         stream_options={"include_usage": True}))
            text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
            assert text == turn["reply_text"], text
            assert chunks[-1].usage.completion_tokens == 12
            r = client.chat.completions.create(model="x", messages=turn["messages"], n=2, max_tokens=4, seed=1,
                                               logprobs=True, top_logprobs=3)
            assert len(r.choices) == 2 and len(r.choices[0].logprobs.content[0].top_logprobs) == 3
            stop = turn["reply_text"].split(" ")[2]
            r = client.chat.completions.create(model="x", messages=turn["messages"], temperature=0, max_tokens=12,
                                               stop=[stop])
            assert stop not in r.choices[0].message.content and r.choices[0].finish_reason == "stop"
            r = client.completions.create(model="x", prompt="hello", max_tokens=3, temperature=0)
            assert r.usage.completion_tokens == 3
            r = client.completions.create(model="x", prompt=[1000, 2000, 3000], max_tokens=2, logprobs=2)
            assert len(r.choices[0].logprobs.top_logprobs) == 2
            try:
                client.completions.create(model="x", prompt="hi", max_tokens=10**7)
                raise AssertionError("huge max_tokens accepted")
            except openai.BadRequestError as e:
                assert "max_tokens" in str(e)
            print("openai client check: all passed")
        finally:
            proc.terminate()
            proc.wait(timeout=30)


if __name__ == "__main__":
    main()
