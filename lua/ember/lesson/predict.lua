-- ember.lesson.predict — a ```predict block: a question the learner answers
-- before a cell runs (a shape, a dtype, a value, one of a few choices).
--   question: What shape has `a + b`?      (more lines continue a field)
--   answer: torch.Size([2, 3])
--   accept: [2, 3] | (2, 3) | 2x3          (other accepted forms, optional)
--   choices: smaller | larger              (optional: the answer is one of them)
--   why: Broadcasting lines up shapes from the right...   (optional)
-- A guess matches when, lowercased and with all whitespace and backticks
-- removed, it equals the answer or an accepted form; with choices, the
-- choice's number (1, 2, ...) or letter (a, b, ...) also counts.
-- `lesson test` checks that an answer without choices is in what its cell
-- prints (predict.verify). Not here: asking (runner.lua), the count of right
-- guesses (progress.lua).
local predict = {}

local keys = {question = true, answer = true, accept = true, choices = true, why = true}

local function trim(s) return (s:gsub("^%s+", ""):gsub("%s+$", "")) end

local function split_bar(s)
  local out = {}
  for part in (s .. "|"):gmatch("(.-)|") do
    part = trim(part)
    if part ~= "" then out[#out + 1] = part end
  end
  return out
end

--- predict.norm(s) -> the form guesses and answers are compared in
function predict.norm(s)
  return (tostring(s or ""):lower():gsub("[%s`]", ""))
end

--- predict.parse(text) -> {question, answer, accept = {...}, choices = {...}|nil, why} | nil, message
function predict.parse(text)
  local fields, order, key = {}, {}, nil
  for line in (text .. "\n"):gmatch("(.-)\n") do
    local k, v = line:match("^%s*(%a+):%s?(.*)$")
    if k and keys[k:lower()] then
      key = k:lower()
      if fields[key] then return nil, "'" .. key .. ":' appears twice" end
      fields[key] = v
      order[#order + 1] = key
    elseif line:match("%S") then
      if not key then return nil, "the first line must be 'question: ...' (got '" .. trim(line) .. "')" end
      fields[key] = fields[key] .. "\n" .. line
    end
  end
  if not fields.question or not fields.question:match("%S") then return nil, "no 'question:'" end
  if not fields.answer or not fields.answer:match("%S") then return nil, "no 'answer:'" end
  local p = {question = trim(fields.question), answer = trim(fields.answer),
             accept = split_bar(fields.accept or ""), why = fields.why and trim(fields.why)}
  if fields.choices then
    p.choices = split_bar(fields.choices)
    if #p.choices < 2 then return nil, "'choices:' needs at least two, separated by |" end
    local found
    for i, c in ipairs(p.choices) do
      if predict.norm(c) == predict.norm(p.answer) then found = i end
    end
    if not found then return nil, "the answer '" .. p.answer .. "' is not one of the choices" end
    p.choice = found
  end
  return p
end

--- predict.check(p, guess) -> true when the guess is right
function predict.check(p, guess)
  local g = predict.norm(guess)
  if g == "" then return false end
  if g == predict.norm(p.answer) then return true end
  for _, a in ipairs(p.accept) do
    if g == predict.norm(a) then return true end
  end
  if p.choices then
    if g == tostring(p.choice) or g == string.char(96 + p.choice) or g == string.char(96 + p.choice) .. ")" then
      return true
    end
  end
  return false
end

--- predict.verify(p, output) -> true | false, message
-- For `lesson test`: a question without choices must have its answer in
-- what its cell prints (compared as guesses are), so an
-- answer cannot go stale when the lesson changes. A choice is the author's
-- to check (true).
function predict.verify(p, output)
  if p.choices then return true end
  -- the answer itself: a short accepted form ("0") would be found anywhere
  if predict.norm(output):find(predict.norm(p.answer), 1, true) then return true end
  return false, string.format("the answer '%s' is not in what the cell prints", p.answer)
end

--- predict.prompt_text(p) -> the question, with numbered choices
function predict.prompt_text(p)
  local out = {p.question}
  if p.choices then
    for i, c in ipairs(p.choices) do out[#out + 1] = string.format("  %s) %s", string.char(96 + i), c) end
  end
  return table.concat(out, "\n")
end

return predict
