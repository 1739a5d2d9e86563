"""Reading a long mail: seconds to find the question in 5k to 40k-line mails.

    .venv/bin/python bench/quotes.py [--lines 5000,10000,20000,40000]

For each size, one mail of that many lines (text, quoted lines, sign-off words) goes through
``question_of`` (body, quote stripping, sign-off), the reading duebot does before answering,
and, as the baseline measured in the same run, through ``BytesParser`` alone (the stdlib
parse every mail needs anyway, linear in the size). It prints both times and their ratio; the
ratio should stay flat as the mail grows (before the fix it grew with the size: 0.5 s for 5k
lines, 34 s for 40k).
"""

from __future__ import annotations

import argparse
import time
from email.parser import BytesParser
from email.policy import default

from bot.core.mail_parse import question_of


def mail(lines: int) -> bytes:
    body = "\n".join("> quoted earlier text" if i % 7 == 3 else "Thanks" if i % 11 == 5
                     else f"line {i}: when is the deadline for the camera-ready version?"
                     for i in range(lines))
    return (f"From: a@uni.example.edu\nTo: dates@example.org\nSubject: Re: dates\n"
            f"Content-Type: text/plain; charset=utf-8\n\n{body}\n").encode()


def best(function: object, repeat: int = 3) -> float:
    assert callable(function)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lines", default="5000,10000,20000,40000")
    args = parser.parse_args()
    print(f"{'lines':>7} {'bytes':>9} {'parse s':>9} {'question s':>11} {'ratio':>7}")
    for lines in (int(n) for n in args.lines.split(",")):
        raw = mail(lines)
        parse = best(lambda raw=raw: BytesParser(policy=default).parsebytes(raw))
        message = BytesParser(policy=default).parsebytes(raw)
        question = best(lambda message=message: question_of(message))
        print(f"{lines:>7} {len(raw):>9} {parse:>9.4f} {question:>11.4f} "
              f"{question / parse:>7.2f}")


if __name__ == "__main__":
    main()
