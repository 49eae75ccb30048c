-- title: A check that only proves the code ran (a bad exercise, on purpose)
-- lesson: broken
-- hint: `ember lesson test` must report that this starter passes.
-- BEGIN SOLUTION
local n = 3
-- END SOLUTION
check(true, "always passes")
