#!/usr/bin/env python3
"""Converts the two external reasoning sets of ../shared/data/ to ReasonLab's
problem format (JSONL: question, answer, chain, task, difficulty), for
`reasonlab eval` and the eval lab. Run from the repository root:
    python3 scripts/convert-eval-sets.py ../shared/data data/eval
"""
import json
import re
import sys

src, out = sys.argv[1], sys.argv[2]

with open(f"{src}/math/gsm_symbolic_2000.jsonl") as f, open(f"{out}/gsm_symbolic_2000.jsonl", "w") as w:
    for line in f:
        p = json.loads(line)
        # The worked answer, its lines joined with ';' as our chains are, without the "#### N" line.
        steps = [s.strip() for s in p["answer"].split("\n") if s.strip() and not s.startswith("####")]
        w.write(json.dumps({"question": p["question"], "answer": p["final"], "chain": ";".join(steps), "task": "gsm_symbolic", "difficulty": str(len(steps)), "template": str(p["template"])}, ensure_ascii=False) + "\n")

with open(f"{src}/logic/pararule_plus.jsonl") as f, open(f"{out}/pararule_plus.jsonl", "w") as w:
    for line in f:
        p = json.loads(line)
        user = next(m["content"] for m in p["input"] if m["role"] == "user")
        question = " ".join(user.replace("Passage:", "").replace("Answer:", "").split())
        depth = re.search(r"-D(\d+)-", p["id_string"])
        w.write(json.dumps({"question": question, "answer": p["ideal"], "task": "pararule", "difficulty": depth.group(1) if depth else "", "template": p["id_string"]}) + "\n")
