-- Fixture lessons for the runner's own tests (tests/lua/test_lesson_runner.lua,
-- tests/examples/test_lesson_tty.sh). `basics` passes, `broken` fails on
-- purpose, `gpu-only` is skipped where there is no CUDA device.
return {
  {id = "basics", file = "01-basics.md", title = "Basics"},
  {id = "broken", file = "02-broken.md", title = "Broken on purpose"},
  {id = "gpu-only", file = "03-gpu-only.md", title = "Needs a GPU", needs = {"cuda"}},
}
