/* lua_onnx.c — torch._onnx: the Lua side's door to ONNX files.
**   torch._onnx.write(spec, path)  builds a ModelProto from the plain table
**       the tracer in lua/torch/onnx.lua makes and writes it atomically;
**   torch._onnx.read(path) -> table  parses a file and describes it as plain
**       Lua values (for `ember inspect`, the tests, the fuzzer).
** Every message is allocated as a Lua userdata anchored in one table, so a
** Lua error half-way (a bad field in spec) leaks nothing: the collector
** frees it all. Not here: tracing, which ops exist (onnx.lua), limits on
** files read (io/onnx_file.c).
**
** spec = {ir_version=, opset=, producer_name=, producer_version=, graph_name=,
**   inputs/outputs = {{name=, elem_type=, shape={int|string, ...}}, ...},
**   initializers = {{name=, tensor=}, ...},
**   nodes = {{op_type=, name=, inputs={...}, outputs={...},
**             attributes={{name=, i=|f=|ints=|floats=|s=}, ...}}, ...}} */
#include <string.h>

#include "../io/onnx_file.h"
#include "lua_bind.h"
#include "lua_util.h"

/* ---- building: memory owned by the anchor table at stack index `anchor` ---- */

static void *arena(lua_State *L, int anchor, size_t n)
{
    if (n == 0) return NULL;
    void *p = lua_newuserdatauv(L, n, 0);
    memset(p, 0, n);
    lua_rawseti(L, anchor, (lua_Integer)lua_rawlen(L, anchor) + 1);
    return p;
}

/* The string at t[key] (must be one), kept alive by the spec table itself. */
static char *field_string(lua_State *L, int t, const char *key, const char *def)
{
    lua_getfield(L, t, key);
    if (!lua_isnil(L, -1) && lua_type(L, -1) != LUA_TSTRING)
        luaL_error(L, "torch.onnx: field '%s' must be a string", key);
    const char *s = lua_isnil(L, -1) ? def : lua_tostring(L, -1);
    lua_pop(L, 1);   /* the spec table still holds the string: the pointer stays valid */
    return (char *)s;
}

static int64_t field_int(lua_State *L, int t, const char *key, int64_t def)
{
    lua_getfield(L, t, key);
    int64_t v = def;
    if (!lua_isnil(L, -1)) {
        int ok;
        v = lua_tointegerx(L, -1, &ok);
        if (!ok) luaL_error(L, "torch.onnx: field '%s' must be an integer", key);
    }
    lua_pop(L, 1);
    return v;
}

/* Pushes t[key], which must be a list (or nil: an empty list); returns its length. */
static size_t push_list(lua_State *L, int t, const char *key)
{
    lua_getfield(L, t, key);
    if (lua_isnil(L, -1)) return 0;
    if (!lua_istable(L, -1)) luaL_error(L, "torch.onnx: field '%s' must be a list", key);
    return lua_rawlen(L, -1);
}

static char **string_list(lua_State *L, int anchor, int t, const char *key, size_t *n)
{
    *n = push_list(L, t, key);
    char **out = arena(L, anchor, *n * sizeof *out);
    for (size_t i = 0; i < *n; i++) {
        lua_rawgeti(L, -1, (lua_Integer)i + 1);
        if (lua_type(L, -1) != LUA_TSTRING) luaL_error(L, "torch.onnx: %s[%d] must be a string", key, (int)i + 1);
        out[i] = (char *)lua_tostring(L, -1);   /* the list keeps the string alive */
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return out;
}

static Onnx__AttributeProto *build_attribute(lua_State *L, int anchor, int t)
{
    Onnx__AttributeProto *a = arena(L, anchor, sizeof *a);
    onnx__attribute_proto__init(a);
    a->name = field_string(L, t, "name", NULL);
    if (!a->name) luaL_error(L, "torch.onnx: an attribute without a name");
    a->has_type = 1;
    lua_getfield(L, t, "i");
    if (!lua_isnil(L, -1)) {
        a->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT;
        a->has_i = 1;
        a->i = luaL_checkinteger(L, -1);
        lua_pop(L, 1);
        return a;
    }
    lua_pop(L, 1);
    lua_getfield(L, t, "f");
    if (!lua_isnil(L, -1)) {
        a->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT;
        a->has_f = 1;
        a->f = (float)luaL_checknumber(L, -1);
        lua_pop(L, 1);
        return a;
    }
    lua_pop(L, 1);
    lua_getfield(L, t, "s");
    if (!lua_isnil(L, -1)) {
        size_t len;
        const char *s = luaL_checklstring(L, -1, &len);
        a->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING;
        a->has_s = 1;
        a->s.data = (uint8_t *)s;
        a->s.len = len;
        lua_pop(L, 1);
        return a;
    }
    lua_pop(L, 1);
    size_t n = push_list(L, t, "ints");
    if (lua_istable(L, -1)) {
        a->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS;
        a->n_ints = n;
        a->ints = arena(L, anchor, n * sizeof *a->ints);
        for (size_t i = 0; i < n; i++) {
            lua_rawgeti(L, -1, (lua_Integer)i + 1);
            int ok;
            a->ints[i] = lua_tointegerx(L, -1, &ok);
            if (!ok) luaL_error(L, "torch.onnx: attribute '%s': ints must be integers", a->name);
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
        return a;
    }
    lua_pop(L, 1);
    n = push_list(L, t, "floats");
    if (lua_istable(L, -1)) {
        a->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS;
        a->n_floats = n;
        a->floats = arena(L, anchor, n * sizeof *a->floats);
        for (size_t i = 0; i < n; i++) {
            lua_rawgeti(L, -1, (lua_Integer)i + 1);
            a->floats[i] = (float)luaL_checknumber(L, -1);
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
        return a;
    }
    return luaL_error(L, "torch.onnx: attribute '%s' has none of i, f, s, ints, floats", a->name), NULL;
}

static Onnx__NodeProto *build_node(lua_State *L, int anchor, int t)
{
    Onnx__NodeProto *nd = arena(L, anchor, sizeof *nd);
    onnx__node_proto__init(nd);
    nd->op_type = field_string(L, t, "op_type", NULL);
    if (!nd->op_type) luaL_error(L, "torch.onnx: a node without op_type");
    nd->name = field_string(L, t, "name", NULL);
    nd->domain = field_string(L, t, "domain", NULL);
    nd->input = string_list(L, anchor, t, "inputs", &nd->n_input);
    nd->output = string_list(L, anchor, t, "outputs", &nd->n_output);
    nd->n_attribute = push_list(L, t, "attributes");
    nd->attribute = arena(L, anchor, nd->n_attribute * sizeof *nd->attribute);
    int list = lua_gettop(L);
    for (size_t i = 0; i < nd->n_attribute; i++) {
        lua_rawgeti(L, list, (lua_Integer)i + 1);
        luaL_checktype(L, -1, LUA_TTABLE);
        nd->attribute[i] = build_attribute(L, anchor, lua_gettop(L));
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return nd;
}

static Onnx__ValueInfoProto *build_value_info(lua_State *L, int anchor, int t)
{
    Onnx__ValueInfoProto *vi = arena(L, anchor, sizeof *vi);
    onnx__value_info_proto__init(vi);
    vi->name = field_string(L, t, "name", NULL);
    if (!vi->name) luaL_error(L, "torch.onnx: an input or output without a name");
    Onnx__TypeProto *tp = arena(L, anchor, sizeof *tp);
    onnx__type_proto__init(tp);
    Onnx__TypeProto__Tensor *tt = arena(L, anchor, sizeof *tt);
    onnx__type_proto__tensor__init(tt);
    tt->has_elem_type = 1;
    tt->elem_type = (int32_t)field_int(L, t, "elem_type", ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT);
    Onnx__TensorShapeProto *sh = arena(L, anchor, sizeof *sh);
    onnx__tensor_shape_proto__init(sh);
    sh->n_dim = push_list(L, t, "shape");
    sh->dim = arena(L, anchor, sh->n_dim * sizeof *sh->dim);
    for (size_t i = 0; i < sh->n_dim; i++) {
        Onnx__TensorShapeProto__Dimension *d = arena(L, anchor, sizeof *d);
        onnx__tensor_shape_proto__dimension__init(d);
        lua_rawgeti(L, -1, (lua_Integer)i + 1);
        if (lua_type(L, -1) == LUA_TSTRING) {
            d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM;
            d->dim_param = (char *)lua_tostring(L, -1);
        } else {
            d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
            d->dim_value = luaL_checkinteger(L, -1);
        }
        lua_pop(L, 1);
        sh->dim[i] = d;
    }
    lua_pop(L, 1);
    tt->shape = sh;
    tp->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
    tp->tensor_type = tt;
    vi->type = tp;
    return vi;
}

static int32_t onnx_type_of(em_dtype dt)
{
    switch (dt) {
    case EM_FLOAT32: return ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
    case EM_FLOAT64: return ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE;
    case EM_INT64: return ONNX__TENSOR_PROTO__DATA_TYPE__INT64;
    case EM_INT32: return ONNX__TENSOR_PROTO__DATA_TYPE__INT32;
    case EM_UINT8: return ONNX__TENSOR_PROTO__DATA_TYPE__UINT8;
    case EM_BOOL: return ONNX__TENSOR_PROTO__DATA_TYPE__BOOL;
    default: return 0;
    }
}

/* An initializer: the tensor's bytes as raw_data (little-endian, as this
** machine stores them). The tensor must be contiguous and on the CPU; the
** Lua side passes t:contiguous(), and the spec table keeps it alive. */
static Onnx__TensorProto *build_initializer(lua_State *L, int anchor, int t)
{
    Onnx__TensorProto *tp = arena(L, anchor, sizeof *tp);
    onnx__tensor_proto__init(tp);
    tp->name = field_string(L, t, "name", NULL);
    if (!tp->name) luaL_error(L, "torch.onnx: an initializer without a name");
    lua_getfield(L, t, "tensor");
    em_tensor *x = em_lua_check_tensor(L, -1);
    lua_pop(L, 1);
    if (!em_backend_host_memory(em_tensor_backend(x)) || !em_tensor_is_contiguous(x))   /* raw_data points into it */
        luaL_error(L, "torch.onnx: initializer '%s' must be a contiguous CPU tensor", tp->name);
    tp->has_data_type = 1;
    tp->data_type = onnx_type_of(x->dtype);
    if (!tp->data_type) luaL_error(L, "torch.onnx: initializer '%s': no ONNX type for %s", tp->name,
                                   em_dtype_name(x->dtype));
    tp->n_dims = (size_t)x->ndim;
    tp->dims = arena(L, anchor, tp->n_dims * sizeof *tp->dims);
    for (int i = 0; i < x->ndim; i++) tp->dims[i] = x->shape[i];
    tp->has_raw_data = 1;
    tp->raw_data.len = (size_t)em_tensor_numel(x) * em_dtype_size(x->dtype);
    tp->raw_data.data = (uint8_t *)x->storage->data + x->offset * (int64_t)em_dtype_size(x->dtype);
    return tp;
}

/* Builds every element of spec[key] with fn into an arena array. */
#define BUILD_LIST(L, anchor, spec, key, type, fn, n_out, out)                   \
    do {                                                                         \
        (n_out) = push_list(L, spec, key);                                       \
        (out) = arena(L, anchor, (n_out) * sizeof(type *));                      \
        int list_ = lua_gettop(L);                                               \
        for (size_t i_ = 0; i_ < (n_out); i_++) {                                \
            lua_rawgeti(L, list_, (lua_Integer)i_ + 1);                          \
            luaL_checktype(L, -1, LUA_TTABLE);                                   \
            (out)[i_] = fn(L, anchor, lua_gettop(L));                            \
            lua_pop(L, 1);                                                       \
        }                                                                        \
        lua_pop(L, 1);                                                           \
    } while (0)

/* torch._onnx.write(spec, path) */
static int l_write(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    const char *path = luaL_checkstring(L, 2);
    lua_settop(L, 2);
    lua_newtable(L);
    int anchor = lua_gettop(L);
    int spec = 1;

    Onnx__GraphProto *g = arena(L, anchor, sizeof *g);
    onnx__graph_proto__init(g);
    g->name = field_string(L, spec, "graph_name", "main_graph");
    BUILD_LIST(L, anchor, spec, "nodes", Onnx__NodeProto, build_node, g->n_node, g->node);
    BUILD_LIST(L, anchor, spec, "initializers", Onnx__TensorProto, build_initializer, g->n_initializer,
               g->initializer);
    BUILD_LIST(L, anchor, spec, "inputs", Onnx__ValueInfoProto, build_value_info, g->n_input, g->input);
    BUILD_LIST(L, anchor, spec, "outputs", Onnx__ValueInfoProto, build_value_info, g->n_output, g->output);

    Onnx__OperatorSetIdProto *opset = arena(L, anchor, sizeof *opset);
    onnx__operator_set_id_proto__init(opset);
    opset->domain = "";
    opset->has_version = 1;
    opset->version = field_int(L, spec, "opset", 17);
    Onnx__OperatorSetIdProto **opsets = arena(L, anchor, sizeof *opsets);
    opsets[0] = opset;

    Onnx__ModelProto m;
    onnx__model_proto__init(&m);
    m.has_ir_version = 1;
    m.ir_version = field_int(L, spec, "ir_version", 8);
    m.producer_name = field_string(L, spec, "producer_name", "ember");
    m.producer_version = field_string(L, spec, "producer_version", NULL);
    m.doc_string = field_string(L, spec, "doc_string", NULL);
    m.n_opset_import = 1;
    m.opset_import = opsets;
    m.graph = g;
    EM_LUA_CHECK(L, em_onnx_write_file(&m, path));
    return 0;
}

/* ---- describing a parsed model ---- */

static void set_str(lua_State *L, const char *key, const char *s)
{
    if (!s) return;
    lua_pushstring(L, s);
    lua_setfield(L, -2, key);
}

static void push_strings(lua_State *L, char **s, size_t n)
{
    lua_createtable(L, (int)(n < 1024 ? n : 1024), 0);
    for (size_t i = 0; i < n; i++) {
        lua_pushstring(L, s[i] ? s[i] : "");
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
}

static void push_type_name(lua_State *L, int32_t t)
{
    const char *name = em_onnx_elem_type_name(t);
    if (name) lua_pushstring(L, name);
    else lua_pushfstring(L, "type %d", (int)t);
}

static void push_value_infos(lua_State *L, Onnx__ValueInfoProto **v, size_t n)
{
    lua_createtable(L, (int)(n < 1024 ? n : 1024), 0);
    for (size_t i = 0; i < n; i++) {
        lua_newtable(L);
        set_str(L, "name", v[i]->name);
        const Onnx__TypeProto *tp = v[i]->type;
        if (tp && tp->value_case == ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE && tp->tensor_type) {
            const Onnx__TypeProto__Tensor *tt = tp->tensor_type;
            push_type_name(L, tt->elem_type);
            lua_setfield(L, -2, "elem_type");
            if (tt->shape) {
                lua_createtable(L, 0, 0);
                for (size_t d = 0; d < tt->shape->n_dim; d++) {
                    const Onnx__TensorShapeProto__Dimension *dim = tt->shape->dim[d];
                    if (dim->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE)
                        lua_pushinteger(L, dim->dim_value);
                    else if (dim->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM)
                        lua_pushstring(L, dim->dim_param ? dim->dim_param : "?");
                    else
                        lua_pushliteral(L, "?");
                    lua_rawseti(L, -2, (lua_Integer)d + 1);
                }
                lua_setfield(L, -2, "shape");
            }
        } else {
            lua_pushliteral(L, "not a tensor");
            lua_setfield(L, -2, "elem_type");
        }
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
}

static void push_attribute(lua_State *L, const Onnx__AttributeProto *a)
{
    lua_newtable(L);
    set_str(L, "name", a->name);
    switch (a->type) {
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT: lua_pushinteger(L, a->i); break;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT: lua_pushnumber(L, a->f); break;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING:
        lua_pushlstring(L, (const char *)a->s.data, a->s.len);
        break;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS:
        lua_createtable(L, (int)(a->n_ints < 1024 ? a->n_ints : 1024), 0);
        for (size_t i = 0; i < a->n_ints; i++) {
            lua_pushinteger(L, a->ints[i]);
            lua_rawseti(L, -2, (lua_Integer)i + 1);
        }
        break;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS:
        lua_createtable(L, (int)(a->n_floats < 1024 ? a->n_floats : 1024), 0);
        for (size_t i = 0; i < a->n_floats; i++) {
            lua_pushnumber(L, a->floats[i]);
            lua_rawseti(L, -2, (lua_Integer)i + 1);
        }
        break;
    default:
        lua_pushfstring(L, "(attribute of type %d)", (int)a->type);
        break;
    }
    lua_setfield(L, -2, "value");
}

static void push_graph(lua_State *L, const Onnx__GraphProto *g)
{
    lua_newtable(L);
    set_str(L, "name", g->name);
    set_str(L, "doc_string", g->doc_string);
    push_value_infos(L, g->input, g->n_input);
    lua_setfield(L, -2, "inputs");
    push_value_infos(L, g->output, g->n_output);
    lua_setfield(L, -2, "outputs");
    lua_createtable(L, (int)(g->n_initializer < 1024 ? g->n_initializer : 1024), 0);
    for (size_t i = 0; i < g->n_initializer; i++) {
        const Onnx__TensorProto *t = g->initializer[i];
        lua_newtable(L);
        set_str(L, "name", t->name);
        push_type_name(L, t->data_type);
        lua_setfield(L, -2, "data_type");
        lua_createtable(L, (int)(t->n_dims < 64 ? t->n_dims : 64), 0);
        for (size_t d = 0; d < t->n_dims; d++) {
            lua_pushinteger(L, t->dims[d]);
            lua_rawseti(L, -2, (lua_Integer)d + 1);
        }
        lua_setfield(L, -2, "dims");
        lua_pushinteger(L, t->has_raw_data ? (lua_Integer)t->raw_data.len : 0);
        lua_setfield(L, -2, "raw_bytes");
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_setfield(L, -2, "initializers");
    lua_createtable(L, (int)(g->n_node < 1024 ? g->n_node : 1024), 0);
    for (size_t i = 0; i < g->n_node; i++) {
        const Onnx__NodeProto *nd = g->node[i];
        lua_newtable(L);
        set_str(L, "name", nd->name);
        set_str(L, "op_type", nd->op_type);
        set_str(L, "domain", nd->domain);
        push_strings(L, nd->input, nd->n_input);
        lua_setfield(L, -2, "inputs");
        push_strings(L, nd->output, nd->n_output);
        lua_setfield(L, -2, "outputs");
        lua_createtable(L, 0, 0);
        for (size_t a = 0; a < nd->n_attribute; a++) {
            push_attribute(L, nd->attribute[a]);
            lua_rawseti(L, -2, (lua_Integer)a + 1);
        }
        lua_setfield(L, -2, "attributes");
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_setfield(L, -2, "nodes");
}

#define MODEL_MT "ember.onnx_model_box"

static int model_box_gc(lua_State *L)
{
    Onnx__ModelProto **box = lua_touserdata(L, 1);
    if (*box) onnx__model_proto__free_unpacked(*box, NULL);
    *box = NULL;
    return 0;
}

/* Pushes a table describing m. */
static void push_model(lua_State *L, const Onnx__ModelProto *m)
{
    lua_newtable(L);
    lua_pushinteger(L, m->has_ir_version ? m->ir_version : 0);
    lua_setfield(L, -2, "ir_version");
    set_str(L, "producer_name", m->producer_name);
    set_str(L, "producer_version", m->producer_version);
    set_str(L, "domain", m->domain);
    set_str(L, "doc_string", m->doc_string);
    lua_createtable(L, 0, 0);
    for (size_t i = 0; i < m->n_opset_import; i++) {
        lua_newtable(L);
        set_str(L, "domain", m->opset_import[i]->domain ? m->opset_import[i]->domain : "");
        lua_pushinteger(L, m->opset_import[i]->version);
        lua_setfield(L, -2, "version");
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_setfield(L, -2, "opset_import");
    if (m->graph) {
        push_graph(L, m->graph);
        lua_setfield(L, -2, "graph");
    }
}

/* Describes *box as a table on the stack top, then frees the message (if
** describing runs out of memory, the box's __gc frees it later). */
static int describe(lua_State *L, Onnx__ModelProto **box)
{
    push_model(L, *box);
    onnx__model_proto__free_unpacked(*box, NULL);
    *box = NULL;
    return 1;
}

static Onnx__ModelProto **new_box(lua_State *L)
{
    Onnx__ModelProto **box = lua_newuserdatauv(L, sizeof *box, 0);
    *box = NULL;
    luaL_setmetatable(L, MODEL_MT);
    return box;
}

/* torch._onnx.read(path) -> description table; raises a clear error for a
** file that is not a model. */
static int l_read(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    Onnx__ModelProto **box = new_box(L);
    em_status st;
    *box = em_onnx_read_file(path, &st);
    if (!*box) return em_lua_raise(L);
    return describe(L, box);
}

/* torch._onnx.parse(bytes) -> description table (the fuzzer's entry). */
static int l_parse(lua_State *L)
{
    size_t n;
    const char *s = luaL_checklstring(L, 1, &n);
    Onnx__ModelProto **box = new_box(L);
    em_status st;
    *box = em_onnx_parse((const uint8_t *)s, n, "onnx", &st);
    if (!*box) return em_lua_raise(L);
    return describe(L, box);
}

void em_lua_register_onnx(lua_State *L)
{
    if (luaL_newmetatable(L, MODEL_MT)) {
        lua_pushcfunction(L, model_box_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_pop(L, 1);
    static const luaL_Reg funcs[] = {
        {"write", l_write},
        {"read", l_read},
        {"parse", l_parse},
        {NULL, NULL},
    };
    luaL_newlib(L, funcs);
    lua_setfield(L, -2, "_onnx");
}
