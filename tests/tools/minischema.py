"""A small JSON Schema checker for the subset schema/results.schema.json
uses (type, const, enum, required, properties, items, minimum, maxItems,
minLength, maxLength, pattern), so the tests need no third-party module."""
import re

TYPES = {"object": dict, "array": list, "string": str, "boolean": bool,
         "null": type(None)}


def _is(v, t):
    if t == "integer":
        return isinstance(v, int) and not isinstance(v, bool)
    if t == "number":
        return isinstance(v, (int, float)) and not isinstance(v, bool)
    return isinstance(v, TYPES[t])


def validate(v, s, path="$"):
    errs = []
    if "type" in s:
        ts = s["type"] if isinstance(s["type"], list) else [s["type"]]
        if not any(_is(v, t) for t in ts):
            return ["%s: %r is not %s" % (path, v, "/".join(ts))]
    if "const" in s and v != s["const"]:
        errs.append("%s: %r != %r" % (path, v, s["const"]))
    if "enum" in s and v not in s["enum"]:
        errs.append("%s: %r not in %r" % (path, v, s["enum"]))
    if isinstance(v, dict):
        for k in s.get("required", []):
            if k not in v:
                errs.append("%s: missing %s" % (path, k))
        for k, sub in s.get("properties", {}).items():
            if k in v:
                errs += validate(v[k], sub, path + "." + k)
    if isinstance(v, list):
        if "maxItems" in s and len(v) > s["maxItems"]:
            errs.append("%s: more than %d items" % (path, s["maxItems"]))
        if "items" in s:
            for i, x in enumerate(v):
                errs += validate(x, s["items"], "%s[%d]" % (path, i))
    if isinstance(v, str):
        if len(v) < s.get("minLength", 0):
            errs.append("%s: too short" % path)
        if "maxLength" in s and len(v) > s["maxLength"]:
            errs.append("%s: too long" % path)
        if "pattern" in s and not re.search(s["pattern"], v):
            errs.append("%s: %r does not match %s" % (path, v, s["pattern"]))
    if _is(v, "number") and "minimum" in s and v < s["minimum"]:
        errs.append("%s: %r < %r" % (path, v, s["minimum"]))
    return errs
