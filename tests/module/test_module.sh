#!/usr/bin/env bash
# test_module.sh — ember as a Lua C module (torch.so) under stock lua5.4.
#   test_module.sh same_numbers EMBER BUILD   train.lua under `ember run` and under
#       lua5.4 (torch.so found through LUA_CPATH alone, and with ember's lua/
#       on LUA_PATH too): the three outputs must be identical
#   test_module.sh stock_lua EMBER BUILD      stock_lua.lua: what the module gives, and
#       what only the program has reported missing
#   test_module.sh install EMBER BUILD        `cmake --install --component lua` into a
#       temporary prefix: lib/lua/5.4/torch.so finds share/lua/5.4 by itself
# Skipped (exit 77) when lua5.4 is not installed (scripts/install-deps.sh --test installs it).
set -euo pipefail
mode="$1" ember="$(realpath "$2")" build="$(realpath "$3")"
here="$(cd "$(dirname "$0")" && pwd)"
if ! command -v lua5.4 >/dev/null; then
  echo "SKIP: lua5.4 is not installed (apt-get install lua5.4)"
  exit 77
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# nothing from the caller's environment decides where the Lua files come from
unset EMBER_LUA_PATH LUA_PATH LUA_PATH_5_4 LUA_CPATH LUA_CPATH_5_4 LUA_INIT LUA_INIT_5_4
cd "$work"    # so that lua5.4's default ./?.lua finds nothing of ember's
# stock lua5.4; under scripts/sanitize.sh torch.so is built with ASan, whose
# runtime must then be loaded before anything else
asan="$(ldd "$build/lua/torch.so" | awk '/libasan/ {print $3}')"
lua5.4() {
  if [[ -n "$asan" ]]; then LD_PRELOAD="$asan" command lua5.4 "$@"; else command lua5.4 "$@"; fi
}

case "$mode" in
same_numbers)
  "$ember" run "$here/train.lua" >ember.txt
  LUA_CPATH="$build/lua/?.so" lua5.4 "$here/train.lua" >cpath.txt
  LUA_PATH="$here/../../lua/?.lua;$here/../../lua/?/init.lua" LUA_CPATH="$build/lua/?.so" \
    lua5.4 "$here/train.lua" >path.txt
  grep -q "^step 30 loss" ember.txt
  diff -u ember.txt cpath.txt
  diff -u ember.txt path.txt
  echo "ok: $(wc -l <ember.txt) lines identical under ember run and lua5.4 (both ways of finding torch)"
  ;;
stock_lua)
  mkdir out
  LUA_CPATH="$build/lua/?.so" lua5.4 "$here/stock_lua.lua" "$work/out"
  ;;
install)
  cmake --install "$build" --prefix "$work/prefix" --component lua >/dev/null
  test -f prefix/lib/lua/5.4/torch.so
  test -f prefix/lib/lua/5.4/ember/sys.so
  test -f prefix/share/lua/5.4/torch/init.lua
  "$ember" run "$here/train.lua" >ember.txt
  # torch.so alone on LUA_CPATH finds the installed lua/ tree (not the source tree)
  WANT="$work/prefix/share/lua/5.4/" LUA_CPATH="$work/prefix/lib/lua/5.4/?.so" lua5.4 -e '
    local torch = require "torch"
    local file = package.searchpath("torch.nn", package.path)
    assert(file and file:find(os.getenv("WANT"), 1, true) == 1, "torch.nn from " .. tostring(file))
    assert(require("torch.checkpoint").save_rotating)'

  LUA_CPATH="$work/prefix/lib/lua/5.4/?.so" lua5.4 "$here/train.lua" >cpath.txt
  # the usual layout: both folders on the paths, as LuaRocks or a /usr/local install gives
  LUA_PATH="$work/prefix/share/lua/5.4/?.lua;$work/prefix/share/lua/5.4/?/init.lua" \
    LUA_CPATH="$work/prefix/lib/lua/5.4/?.so" lua5.4 "$here/train.lua" >path.txt
  diff -u ember.txt cpath.txt
  diff -u ember.txt path.txt
  echo "ok: installed module gives ember's numbers"
  ;;
*)
  echo "test_module.sh: unknown mode $mode" >&2
  exit 2
  ;;
esac
