/* Builds the OpenAPI 3.1 document from the route table and the routes' field tables. */
#include "http/openapi.h"
#include "authz/authz.h"
#include "core/str.h"
#include "version.h"

#include <ctype.h>
#include <string.h>

static json_t *field_schema(const struct field *f)
{
    json_t *s = json_object();
    switch (f->type) {
    case FIELD_STRING:
        json_object_set_new(s, "type", json_string("string"));
        if (f->min)
            json_object_set_new(s, "minLength", json_integer(f->min));
        if (f->max)
            json_object_set_new(s, "maxLength", json_integer(f->max));
        break;
    case FIELD_INTEGER:
        json_object_set_new(s, "type", json_string("integer"));
        json_object_set_new(s, "minimum", json_integer(f->min));
        json_object_set_new(s, "maximum", json_integer(f->max));
        break;
    case FIELD_BOOLEAN:
        json_object_set_new(s, "type", json_string("boolean"));
        break;
    case FIELD_DATE:
        json_object_set_new(s, "type", json_string("string"));
        json_object_set_new(s, "format", json_string("date"));
        break;
    case FIELD_OBJECT:
        json_object_set_new(s, "type", json_string("object"));
        break;
    case FIELD_ARRAY:
        json_object_set_new(s, "type", json_string("array"));
        json_object_set_new(s, "minItems", json_integer(f->min));
        if (f->max > 0)
            json_object_set_new(s, "maxItems", json_integer(f->max));
        break;
    }
    if (f->flags & FIELD_NULLABLE) {
        json_t *t = json_object_get(s, "type");
        json_object_set_new(s, "type", json_pack("[O, s]", t, "null"));
    }
    if (f->doc)
        json_object_set_new(s, "description", json_string(f->doc));
    return s;
}

static json_t *body_schema(const struct field *fields)
{
    json_t *props = json_object();
    json_t *required = json_array();
    for (const struct field *f = fields; f->name; f++) {
        json_object_set_new(props, f->name, field_schema(f));
        if (f->flags & FIELD_REQUIRED)
            json_array_append_new(required, json_string(f->name));
    }
    json_t *s = json_pack("{s:s, s:o, s:b}", "type", "object", "properties", props,
                          "additionalProperties", 0);
    if (json_array_size(required))
        json_object_set_new(s, "required", required);
    else
        json_decref(required);
    return s;
}

static json_t *path_parameters(const char *pattern)
{
    json_t *params = json_array();
    for (const char *p = strchr(pattern, '{'); p; p = strchr(p + 1, '{')) {
        const char *close = strchr(p, '}');
        if (!close)
            break;
        json_array_append_new(params, json_pack("{s:s%, s:s, s:b, s:{s:s}}", "name", p + 1,
                                                (size_t)(close - p - 1), "in", "path", "required",
                                                1, "schema", "type", "string"));
    }
    return params;
}

static json_t *operation(const struct route *r)
{
    json_t *op = json_pack("{s:s}", "summary", r->summary);
    json_t *params = path_parameters(r->pattern);
    if (json_array_size(params))
        json_object_set_new(op, "parameters", params);
    else
        json_decref(params);
    if (r->fields && route_takes_csv(r))
        json_object_set_new(op, "requestBody",
                            json_pack("{s:b, s:{s:{s:{s:s}}}}", "required", 1, "content",
                                      "text/csv", "schema", "type", "string"));
    else if (r->fields)
        json_object_set_new(op, "requestBody",
                            json_pack("{s:b, s:{s:{s:o}}}", "required", 1, "content",
                                      "application/json", "schema", body_schema(r->fields)));
    json_t *problem = json_pack(
        "{s:s, s:{s:{s:{s:s}}}}", "description", "An RFC 9457 problem with a stable code",
        "content", "application/problem+json", "schema", "$ref", "#/components/schemas/Problem");
    json_object_set_new(op, "responses",
                        json_pack("{s:{s:s}, s:o}",
                                  r->method[0] == 'P' && r->method[1] == 'O' ? "201" : "200",
                                  "description", "Success", "default", problem));
    if (r->access == ACCESS_PUBLIC)
        json_object_set_new(op, "security", json_array());
    /* Who may call it, machine-readable: the tenant-isolation tests are generated from this. */
    static const char *const access_names[] = {"public", "login", "roles"};
    json_object_set_new(op, "x-varn-access", json_string(access_names[r->access]));
    json_t *roles = json_array();
    unsigned mask = authz_route_roles(r);
    for (unsigned bit = 1; bit < (1u << ROLE_COUNT); bit <<= 1)
        if (mask & bit)
            json_array_append_new(roles, json_string(role_id_of(bit)));
    json_object_set_new(op, "x-varn-roles", roles);
    return op;
}

static char *lower(const char *method, char out[8])
{
    size_t i = 0;
    for (; method[i] && i < 7; i++)
        out[i] = (char)tolower((unsigned char)method[i]);
    out[i] = '\0';
    return out;
}

json_t *openapi_build(const struct route *routes, size_t n)
{
    json_t *paths = json_object();
    for (size_t i = 0; i < n; i++) {
        const struct route *r = &routes[i];
        json_t *item = json_object_get(paths, r->pattern);
        if (!item) {
            item = json_object();
            json_object_set_new(paths, r->pattern, item);
        }
        char m[8];
        json_object_set_new(item, lower(r->method, m), operation(r));
    }
    json_t *problem = json_pack(
        "{s:s, s:[s, s, s, s], s:{s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s},"
        " s:{s:s}}}",
        "type", "object", "required", "type", "title", "status", "code", "properties", "type",
        "type", "string", "title", "type", "string", "status", "type", "integer", "detail", "type",
        "string", "code", "type", "string", "field", "type", "string", "instance", "type", "string",
        "request_id", "type", "string");
    return json_pack("{s:s, s:{s:s, s:s, s:s}, s:o, s:{s:{s:o}}}", "openapi", "3.1.0", "info",
                     "title", "Värn API", "version", VARN_VERSION, "description",
                     "Information security management for municipal IT organisations. Errors "
                     "are RFC 9457 problem documents whose 'code' is stable.",
                     "paths", paths, "components", "schemas", "Problem", problem);
}
