#!/usr/bin/env python3
"""Generate tests/data/chat/renderings.json: reference chat-template renderings.

The oracle is Hugging Face transformers' own `apply_chat_template(messages,
tokenize=False, add_generation_prompt=...)`, run on a PreTrainedTokenizerFast
whose `.chat_template` is each template file and whose bos/eos tokens are set as
in the real model's tokenizer_config.json.

Usage (from the repo root, with torch-free deps: transformers, tokenizers, jinja2):
    python tools/make_chat_fixtures.py \
        [--templates /work/shared/data/chat-templates] \
        [--tokenizer /work/shared/data/tokenizers/qwen3/tokenizer.json] \
        [--out tests/data/chat]

It copies the *.jinja files into <out>/templates/ and writes <out>/renderings.json.
"""
import argparse
import json
import os
import shutil
import sys

import jinja2
import tokenizers
import transformers
from transformers import PreTrainedTokenizerFast

# Special tokens as each real model's tokenizer_config.json has them.
# (Qwen2.5-Instruct / Qwen3: bos_token null, eos "<|im_end|>", pad "<|endoftext|>".)
SPECIAL_TOKENS = {
    "Qwen-Qwen2.5-7B-Instruct.jinja": {"bos_token": None, "eos_token": "<|im_end|>", "pad_token": "<|endoftext|>"},
    "Qwen-Qwen3.jinja": {"bos_token": None, "eos_token": "<|im_end|>", "pad_token": "<|endoftext|>"},
    "deepseek-ai-DeepSeek-R1-Distill-Qwen-32B.jinja": {
        "bos_token": "<\uff5cbegin\u2581of\u2581sentence\uff5c>",
        "eos_token": "<\uff5cend\u2581of\u2581sentence\uff5c>",
        "pad_token": "<\uff5cend\u2581of\u2581sentence\uff5c>",
    },
    "meta-llama-Llama-3.1-8B-Instruct.jinja": {"bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>"},
    "meta-llama-Llama-3.2-3B-Instruct.jinja": {"bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>"},
}

# Fixed date for the Llama-3.x "Today Date" header. Both Llama templates take a
# caller-supplied `date_string` in preference to their own default (3.1) or to
# `strftime_now` (3.2, which transformers provides and which would give today's date).
FIXED_DATE = "26 Jul 2024"

SYSTEM = "You are a helpful assistant.\n你是一个乐于助人的助手。"
USER1 = "Hello! 你好，请介绍一下你自己。\nPlease answer in two lines."
ASSISTANT1 = "我是一个语言模型。\nI am a language model."
USER2 = "What is 2+2? 二加二等于几？"

CONVERSATIONS = [
    ("single_user", [{"role": "user", "content": USER1}]),
    ("system_user", [{"role": "system", "content": SYSTEM}, {"role": "user", "content": USER1}]),
    ("system_multi_turn", [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": USER1},
        {"role": "assistant", "content": ASSISTANT1},
        {"role": "user", "content": USER2},
    ]),
    ("multi_turn_no_system", [
        {"role": "user", "content": USER1},
        {"role": "assistant", "content": ASSISTANT1},
        # trailing whitespace: the Llama templates `| trim` contents, the Qwen ones do not
        {"role": "user", "content": USER2 + "\n"},
    ]),
]


def template_kwargs(name):
    if name.startswith("meta-llama-"):
        return {"date_string": FIXED_DATE}
    return {}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--templates", default="/work/shared/data/chat-templates")
    ap.add_argument("--tokenizer", default="/work/shared/data/tokenizers/qwen3/tokenizer.json")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data", "chat"))
    args = ap.parse_args()

    out = os.path.abspath(args.out)
    os.makedirs(os.path.join(out, "templates"), exist_ok=True)
    names = sorted(n for n in os.listdir(args.templates) if n.endswith(".jinja"))
    missing = [n for n in names if n not in SPECIAL_TOKENS]
    if missing:
        sys.exit("no special-token settings for: %s" % missing)

    cases = []
    for name in names:
        src = os.path.join(args.templates, name)
        shutil.copyfile(src, os.path.join(out, "templates", name))
        with open(src, encoding="utf-8") as f:
            text = f.read()
        tok = PreTrainedTokenizerFast(tokenizer_file=args.tokenizer)
        for attr, val in SPECIAL_TOKENS[name].items():
            setattr(tok, attr, val)
        tok.chat_template = text
        kw = template_kwargs(name)
        variants = [(kw, None)]
        if name == "Qwen-Qwen3.jinja":
            variants.append(({"enable_thinking": False}, "enable_thinking_false"))
        for conv_name, messages in CONVERSATIONS:
            for extra, tag in variants:
                for agp in (False, True):
                    rendered = tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=agp, **extra)
                    case = {
                        "template": name,
                        "conversation": conv_name + ("" if tag is None else "+" + tag),
                        "messages": messages,
                        "add_generation_prompt": agp,
                        "template_kwargs": extra,
                        "special_tokens": {k: v for k, v in SPECIAL_TOKENS[name].items() if k in ("bos_token", "eos_token")},
                        "rendered": rendered,
                    }
                    cases.append(case)

    doc = {
        "source": "transformers %s (tokenizers %s, jinja2 %s): PreTrainedTokenizerFast.apply_chat_template("
                  "messages, tokenize=False, add_generation_prompt=..., **template_kwargs); generated by "
                  "tools/make_chat_fixtures.py" % (transformers.__version__, tokenizers.__version__, jinja2.__version__),
        "fixed_date_string": FIXED_DATE,
        "cases": cases,
    }
    with open(os.path.join(out, "renderings.json"), "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print("wrote %d cases to %s" % (len(cases), os.path.join(out, "renderings.json")))


if __name__ == "__main__":
    main()
