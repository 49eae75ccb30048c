/* promote.h — PyTorch's type promotion: which dtype an op on mixed operands
** computes in. Dimensioned tensors decide within a category (bool <
** integer < float); a 0-dim tensor or a plain number only wins when it is of a
** higher category, and a plain float number then gives float32 (the default
** dtype), as torch.result_type does. */
#ifndef EMBER_PROMOTE_H
#define EMBER_PROMOTE_H

#include "tensor.h"

/* The promoted type of two dtypes (ignoring dims). */
em_dtype em_promote_types(em_dtype a, em_dtype b);
/* torch.result_type for tensors; is_wrapped marks tensors made from Lua numbers. */
em_dtype em_result_type(int n, const em_tensor *const *ts);
/* ... of a tensor and a plain number of dtype number (bool, int64, float64). */
em_dtype em_result_type_number(const em_tensor *t, em_dtype number);

#endif
