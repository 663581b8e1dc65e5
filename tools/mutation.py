"""`make mutation`: mutmut over the modules that carry a promise, each against only the tests that
cover it, the score per module and every survivor (with why it is equivalent) written to
docs/TESTING.md.

Each group runs in its own copy of the tree (var/mutation/<group>): mutmut writes a `mutants/` tree
and its config beside the code it mutates, and the working tree is shared with whoever else is
editing it. Survivors are matched to explanations in tools/mutation_equivalents.toml by the
function and the mutated line, not by mutmut's numbering (which shifts when the code changes).
"""

from __future__ import annotations

import argparse
import json
import fnmatch
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "var" / "mutation"
DOC = ROOT / "docs" / "TESTING.md"
EQUIVALENTS = ROOT / "tools" / "mutation_equivalents.toml"
RESULTS = WORK / "results"
TARGET = 85.0
MARK_BEGIN = "<!-- mutation:begin (written by make mutation) -->"
MARK_END = "<!-- mutation:end -->"


@dataclass(frozen=True)
class Group:
    """Modules mutated together against the same tests. `functions` names what carries the promise
    (`module.py:function`, `module.py:Class.method`, or `module.py:*` for the whole module): the
    table definitions and the logging around them are not where a guarantee can break."""

    name: str
    promise: str
    functions: tuple[str, ...]
    tests: tuple[str, ...]

    @property
    def modules(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(f.split(":")[0] for f in self.functions))

    def patterns(self) -> list[str]:
        """mutmut's names for the chosen functions' mutants (`pkg.mod.x_fn__mutmut_3`, methods as
        `pkg.mod.xǁClassǁmethod__mutmut_3`)."""
        out = []
        for spec in self.functions:
            module, function = spec.split(":")
            dotted = module[:-3].replace("/", ".")
            if function == "*":
                out.append(f"{dotted}.*")
            elif "." in function:
                cls, method = function.split(".")
                out.append(f"{dotted}.x\u01c1{cls}\u01c1{method}__mutmut_*")
            else:
                out.append(f"{dotted}.x_{function}__mutmut_*")
        return out


GROUPS = (
    Group("outbox-inbox", "the relay publishes pending rows in order and marks sent only what the bus "
          "confirmed; the inbox row commits with the effect, so each event takes effect once",
          ("shared/messaging.py:Outbox.add_many", "shared/messaging.py:Outbox.on_commit",
           "shared/messaging.py:Outbox.publish_pending", "shared/messaging.py:Outbox._pending_query",
           "shared/messaging.py:idempotent_consumer", "shared/messaging.py:_claim_inbox",
           "shared/bus/base.py:Bus.publish_many", "shared/bus/base.py:run_batch",
           "shared/bus/base.py:one_by_one", "shared/bus/base.py:retry_delays_ms"),
          ("tests/integration/shared/test_outbox_inbox.py", "tests/integration/shared/test_consumer_logs.py",
           "tests/unit/shared/test_bus_base.py",
           "tests/unit/shared/test_shared_pure.py")),
    Group("intake-numbering", "case numbers are gapless per court and year; a replayed request returns "
          "the first answer and takes no number",
          ("services/intake/domain/case_number.py:*",
           "services/intake/store/cases.py:next_case_numbers", "services/intake/store/cases.py:number_cases",
           "shared/idempotency.py:IdempotencyKeys.claim_many", "shared/idempotency.py:IdempotencyKeys.remember_many",
           "shared/idempotency.py:fingerprint", "shared/idempotency.py:Replay.refusal",
           "services/intake/actions/filing.py:file_cases", "services/intake/actions/filing.py:_write"),
          ("tests/unit/intake/test_intake_case_number.py", "tests/integration/intake/test_intake_api.py",
           "tests/integration/intake/test_intake_filing_stages.py",
           "tests/integration/shared/test_idempotency_keys.py")),
    Group("routing-decision", "only eligible partners are offered a case, and the decision follows the policy",
          ("services/routing/domain/filters.py:*", "services/routing/domain/engine.py:*"),
          ("tests/unit/routing",)),
    Group("mediation-rules", "deadlines, the offer window, extensions and outcomes follow the law",
          ("services/mediation/domain/deadline.py:*", "services/mediation/domain/offer.py:*",
           "services/mediation/domain/outcome.py:*"),
          ("tests/unit/mediation",)),
    Group("notify-webhooks", "webhook retries follow the schedule and Retry-After; bodies are signed; "
          "no delivery reaches a private address",
          ("services/notify/domain/retry.py:*", "services/notify/domain/signing.py:*",
           "services/notify/domain/ssrf.py:*"),
          ("tests/unit/notify/test_notify_retry.py", "tests/unit/notify/test_notify_signing.py",
           "tests/unit/notify/test_notify_ssrf.py")),
)

KILLED = {"killed", "timeout", "caught by type check"}


@dataclass
class Survivor:
    name: str
    module: str
    function: str
    line: str
    reason: str | None = None


@dataclass
class ModuleScore:
    module: str
    killed: int = 0
    total: int = 0
    survivors: list[Survivor] = field(default_factory=list)

    @property
    def score(self) -> float:
        return 100.0 * self.killed / self.total if self.total else 100.0


def _copy_tree(dest: Path) -> None:
    """The tree as it is now (committed or not), without the venv, var/ or git."""
    if dest.exists():
        shutil.rmtree(dest)
    ignore = shutil.ignore_patterns(".venv", "var", ".git", "mutants", "__pycache__", "*.egg-info",
                                    ".hypothesis", ".pytest_cache", ".benchmarks", "bench")
    shutil.copytree(ROOT, dest, ignore=ignore)


def _configure(dest: Path, group: Group) -> None:
    """mutmut reads [tool.mutmut] from the copy's pyproject.toml."""
    tests = [t for t in group.tests if (dest / t).exists()]
    conf = "\n".join([
        "", "[tool.mutmut]",
        'source_paths = ["shared", "services"]',
        f"only_mutate = {list(group.modules)!r}".replace("'", '"'),
        'also_copy = ["tools", "composition"]',
        f"pytest_add_cli_args_test_selection = {tests!r}".replace("'", '"'),
        # The per-test timeout of the project stays; a mutant that hangs is a kill (timeout).
        'pytest_add_cli_args = ["-p", "no:cacheprovider", "-q", "-x"]',
        "timeout_multiplier = 5.0",
        "timeout_constant = 10.0",
        "use_git_change_detection = false",
        "",
    ])
    with open(dest / "pyproject.toml", "a", encoding="utf-8") as f:
        f.write(conf)


def _mutmut(dest: Path, *args: str, check: bool = True) -> str:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    proc = subprocess.run([sys.executable, "-m", "mutmut", *args], cwd=dest, env=env,
                          capture_output=True, text=True)
    if check and proc.returncode != 0:
        sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-4000:])
        raise SystemExit(f"mutmut {' '.join(args)} failed in {dest}")
    return proc.stdout


_RESULT = re.compile(r"^\s*(\S+__mutmut_\d+): (.+)$")


def _module_of(mutant: str, modules: tuple[str, ...]) -> str:
    dotted = mutant.split(".x")[0].split(".x_")[0]
    for module in modules:
        if mutant.startswith(module[:-3].replace("/", ".") + "."):
            return module
    return dotted


def _function_of(mutant: str) -> str:
    tail = mutant.rsplit(".", 1)[-1] if "ǁ" not in mutant else mutant.split(".")[-1]
    tail = re.sub(r"__mutmut_\d+$", "", tail)
    # mutmut names a method `xǁClassǁmethod`: only the leading `xǁ` is its mark (a class may end in x)
    return tail.removeprefix("x_").removeprefix("xǁ").replace("ǁ", ".")


def _mutated_line(diff: str) -> str:
    added = [line[1:].strip() for line in diff.splitlines() if line.startswith("+") and not line.startswith("+++")]
    return " / ".join(added) if added else "(line removed)"


def _load_equivalents() -> list[dict]:
    if not EQUIVALENTS.exists():
        return []
    return tomllib.loads(EQUIVALENTS.read_text(encoding="utf-8")).get("equivalent", [])


def _explain(survivor: Survivor, equivalents: list[dict]) -> str | None:
    for entry in equivalents:
        if entry["module"] != survivor.module or entry["function"] != survivor.function:
            continue
        if entry["mutated"] in survivor.line:
            return entry["why"]
    return None


def run_group(group: Group, max_children: int) -> tuple[list[ModuleScore], float]:
    dest = WORK / group.name
    started = time.monotonic()
    _copy_tree(dest)
    _configure(dest, group)
    _mutmut(dest, "run", "--max-children", str(max_children), *group.patterns())
    scores = {m: ModuleScore(m) for m in group.modules}
    equivalents = _load_equivalents()
    patterns = group.patterns()
    for line in _mutmut(dest, "results", "--all", "true").splitlines():
        match = _RESULT.match(line)
        if not match:
            continue
        name, status = match.group(1), match.group(2).strip()
        if not any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns):
            continue  # a function outside the promise: not run, not counted
        module = _module_of(name, group.modules)
        score = scores.setdefault(module, ModuleScore(module))
        score.total += 1
        if status in KILLED:
            score.killed += 1
            continue
        diff = _mutmut(dest, "show", name, check=False)
        survivor = Survivor(name, module, _function_of(name), _mutated_line(diff))
        survivor.reason = _explain(survivor, equivalents)
        score.survivors.append(survivor)
        if status != "survived":
            survivor.line = f"[{status}] {survivor.line}"
    return list(scores.values()), time.monotonic() - started


def _save(group: Group, scores: list[ModuleScore], seconds: float) -> None:
    """Each group's last result, so that a run of some groups still renders the whole table."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{group.name}.json").write_text(json.dumps({
        "seconds": seconds, "finished": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "scores": [{**asdict(s), "survivors": [asdict(v) for v in s.survivors]} for s in scores]},
        ensure_ascii=False, indent=1), encoding="utf-8")


def _load(group: Group) -> tuple[list[ModuleScore], float, str] | None:
    path = RESULTS / f"{group.name}.json"
    if not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    scores = [ModuleScore(d["module"], d["killed"], d["total"], [Survivor(**v) for v in d["survivors"]])
              for d in data["scores"]]
    return scores, data["seconds"], data["finished"]


def _render(results: list[tuple[Group, list[ModuleScore], float, str]]) -> str:
    total = sum(seconds for _, _, seconds, _ in results)
    out = [MARK_BEGIN, "",
           f"Target: at least {TARGET:.0f}% of mutants killed in each module. Minutes are each group's own "
           f"run on this {os.cpu_count()}-core machine, at the time in the column run (a machine shared "
           "with other test runs makes them longer); "
           f"all groups together: {total / 60:.1f} min.", "",
           "| group | module | mutants | killed | score | survivors (explained) | run | minutes |",
           "|---|---|---:|---:|---:|---:|---|---:|"]
    for group, scores, seconds, finished in results:
        for s in scores:
            explained = sum(1 for v in s.survivors if v.reason)
            out.append(f"| {group.name} | `{s.module}` | {s.total} | {s.killed} | {s.score:.1f}% | "
                       f"{len(s.survivors)} ({explained}) | {finished} | {seconds / 60:.1f} |")
    out += ["", "What each group promises and which functions it mutates:", ""]
    for group, _, _, _ in results:
        out.append(f"- **{group.name}**: {group.promise}. Mutated: "
                   + ", ".join(f"`{f}`" for f in group.functions) + ". Tests: "
                   + ", ".join(f"`{t}`" for t in group.tests) + ".")
    out += ["", "### Surviving mutants", ""]
    for group, scores, _, _ in results:
        for s in scores:
            if not s.survivors:
                continue
            out.append(f"#### `{s.module}`")
            out.append("")
            for v in s.survivors:
                why = v.reason or "**not explained: write a test that kills it, or explain it in tools/mutation_equivalents.toml**"
                out.append(f"- `{v.function}`: `{v.line}` — {why}")
            out.append("")
    out.append(MARK_END)
    return "\n".join(out)


def _write_doc(section: str) -> None:
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Testing\n\n## Mutation testing\n\n"
    if MARK_BEGIN in text:
        head, rest = text.split(MARK_BEGIN, 1)
        tail = rest.split(MARK_END, 1)[1] if MARK_END in rest else ""
        text = head + section + tail
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    DOC.write_text(text, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("groups", nargs="*", help="only these groups (default: all); the others keep their last result")
    parser.add_argument("--max-children", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--render-only", action="store_true", help="rewrite the doc from the stored results")
    args = parser.parse_args()
    chosen = [g for g in GROUPS if not args.groups or g.name in args.groups]
    for group in [] if args.render_only else chosen:
        scores, seconds = run_group(group, args.max_children)
        _save(group, scores, seconds)
        for s in scores:
            print(f"{group.name:18} {s.module:50} {s.killed:4}/{s.total:<4} {s.score:5.1f}%  "
                  f"{len(s.survivors)} survivors, {sum(1 for v in s.survivors if not v.reason)} unexplained  "
                  f"({seconds / 60:.1f} min)", flush=True)
    equivalents = _load_equivalents()
    results = []
    for group in GROUPS:
        stored = _load(group)
        if stored is None:
            continue
        scores, seconds, finished = stored
        for s in scores:  # explanations written since the run apply too
            for v in s.survivors:
                v.reason = _explain(v, equivalents)
        results.append((group, scores, seconds, finished))
    _write_doc(_render(results))
    low = [s for _, scores, _, _ in results for s in scores if s.score < TARGET]
    missing = [g.name for g in GROUPS if _load(g) is None]
    if missing:
        print(f"no result yet for: {', '.join(missing)}")
    return 1 if low or missing else 0


if __name__ == "__main__":
    sys.exit(main())
