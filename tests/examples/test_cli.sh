#!/usr/bin/env bash
# The ember command line: version, help, exit codes (0 ok, 1 script error
# with file:line and a traceback, 2 usage error), script arguments, the
# minimal REPL echoing expressions and surviving errors.
set -uo pipefail
ember="$1"
fail() { echo "FAIL: $*" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$ember" --version | grep -q "^ember [0-9]" || fail "--version"
"$ember" --help | grep -q "ember run FILE.lua" || fail "--help"

"$ember" frobnicate >/dev/null 2>"$tmp/err"; [[ $? -eq 2 ]] || fail "unknown command must exit 2"
grep -q "unknown command" "$tmp/err" || fail "unknown command message"
"$ember" run >/dev/null 2>&1; [[ $? -eq 2 ]] || fail "run without a file must exit 2"

printf 'print(#arg, arg[1], arg[2])\nprint(torch.ones(2):sum():item())\n' > "$tmp/ok.lua"
out=$("$ember" run "$tmp/ok.lua" a b) || fail "a good script must exit 0"
[[ "$out" == $'2\ta\tb\n2.0' ]] || fail "script output was: $out"

printf 'local x = torch.ones(2, 3)\nlocal y = x:matmul(torch.ones(4, 5))\n' > "$tmp/bad.lua"
"$ember" run "$tmp/bad.lua" >/dev/null 2>"$tmp/err"; [[ $? -eq 1 ]] || fail "a script error must exit 1"
grep -q "bad.lua:2: matmul: shapes \[2, 3\] and \[4, 5\] cannot be multiplied" "$tmp/err" || fail "error message: $(cat "$tmp/err")"
grep -q "stack traceback" "$tmp/err" || fail "no traceback"

"$ember" run "$tmp/missing.lua" >/dev/null 2>"$tmp/err"; [[ $? -eq 1 ]] || fail "a missing script must exit 1"
grep -q "missing.lua" "$tmp/err" || fail "missing file not named"

out=$(printf 'torch.tensor({1, 2}) * 2\nerror("boom")\nlocal t = 5;\nfunction f(a)\n  return a + 1\nend\nf(41)\n' | "$ember" 2>"$tmp/err")
grep -q "tensor(\[2, 4\])" <<<"$out" || fail "REPL echo: $out"
grep -q "boom" "$tmp/err" || fail "REPL error not shown"
grep -q "^42$" <<<"$out" || fail "REPL multi-line function: $out"
# under a memory budget, exhausting it is an error in that statement only
out=$(printf 'big = {}\nfor i = 1, 1e8 do big[i] = i end\nbig = nil\nts = {}\nfor i = 1, 100 do ts[i] = torch.ones(1024, 1024) end\nts = nil\nprint("alive", torch.ones(4):sum():item())\n' |
  EMBER_MEMORY_BUDGET=100M "$ember" 2>"$tmp/err")
grep -q "not enough memory" "$tmp/err" || fail "Lua exhaustion under a budget: $(cat "$tmp/err")"
grep -q "memory budget of 100.0 MB exceeded" "$tmp/err" || fail "tensor exhaustion under a budget: $(cat "$tmp/err")"
grep -q "^alive.4.0$" <<<"$out" || fail "REPL after exhausting the budget: $out"
echo "cli: ok"
