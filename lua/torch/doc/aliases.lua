-- torch.doc.aliases — the function forms of Tensor methods in the help:
-- for each name, M["torch.NAME"] becomes the alias {"Tensor.NAME",
-- signature}, the signature derived from the method's first line
-- (x:flip([dims]) -> torch.flip(x[, dims]), x:t() -> torch.t(x)). Used by
-- the doc files whose ops exist both ways; not a doc file itself.
return function(M, names)
  for _, name in ipairs(names) do
    local sig = M["Tensor." .. name]:match("^[^\n]*")
    sig = sig:gsub("x:" .. name .. "%(%)", "torch." .. name .. "(x)")
    sig = sig:gsub("x:" .. name .. "%(", "torch." .. name .. "(x, ")
    sig = sig:gsub("torch%." .. name .. "%(x, %[", "torch." .. name .. "(x[, ")
    M["torch." .. name] = {"Tensor." .. name, sig}
  end
end
