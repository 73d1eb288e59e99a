/*
 * page_static.c: /static/app.css and /static/app.js, compiled in.  The
 * CSS has light and dark schemes (prefers-color-scheme); the script only
 * adds table sorting and a name filter -- every page works without it.
 */
#include "html.h"

static const char app_css[] =
	":root{--bg:#fff;--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;"
	"--head:#f6f8fa;--link:#0550ae;--fail:#cf222e;--flaky:#9a6700;"
	"--pass:#1a7f37;--track:#eaeef2;--ci:#f0b429;--r0:#dafbe1;"
	"--r1:#fff8c5;--r2:#ffe2a8;--r3:#ffc1a8;--r4:#ff8182;}\n"
	"@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;"
	"--muted:#8d96a0;--line:#30363d;--head:#161b22;--link:#4493f8;"
	"--fail:#f85149;--flaky:#d29922;--pass:#3fb950;--track:#21262d;"
	"--ci:#9e6a03;--r0:#033a16;--r1:#3b2f00;--r2:#5a3a00;--r3:#6e2a12;"
	"--r4:#8e1519;}}\n"
	"body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.45 "
	"system-ui,-apple-system,'Segoe UI',sans-serif}\n"
	"main{max-width:1200px;margin:0 auto;padding:0 1rem 3rem}\n"
	"header.site{border-bottom:1px solid var(--line);padding:.6rem 1rem;"
	"background:var(--head)}\n"
	"a{color:var(--link)}h1{font-size:1.5rem;word-break:break-word}"
	"h2{font-size:1.15rem;margin-top:2rem}\n"
	"table{border-collapse:collapse;width:100%;margin:.5rem 0}\n"
	"th,td{border-bottom:1px solid var(--line);padding:.3rem .5rem;"
	"text-align:left;vertical-align:top}\n"
	"thead th{background:var(--head);white-space:nowrap}\n"
	"th button{font:inherit;font-weight:bold;background:none;border:0;"
	"color:inherit;cursor:pointer;padding:0}\n"
	"td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}\n"
	"td.name{overflow-wrap:anywhere}\n"
	"pre{background:var(--head);border:1px solid var(--line);padding:.5rem;"
	"overflow:auto;max-height:20rem;white-space:pre-wrap}\n"
	"form.filters{display:flex;flex-wrap:wrap;gap:.75rem;align-items:end;"
	"margin:1rem 0}\nform.filters label{display:flex;flex-direction:column;"
	"font-size:.85rem;color:var(--muted)}\n"
	"input,select,button{font:inherit}\n"
	".muted{color:var(--muted)}.summary{display:flex;flex-wrap:wrap;"
	"gap:1.5rem;margin:1rem 0}\n.summary div{min-width:7rem}"
	".summary strong{display:block;font-size:1.4rem}\n"
	"dl.meta{display:grid;grid-template-columns:max-content 1fr;"
	"gap:.2rem 1rem}dl.meta dt{color:var(--muted)}dl.meta dd{margin:0}\n"
	".st{font-weight:600}.st-failed{color:var(--fail)}.st-flaky{color:"
	"var(--flaky)}.st-passed{color:var(--pass)}.st-skipped,.st-notrun{color:"
	"var(--muted)}\n.up{color:var(--fail)}.down{color:var(--pass)}\n"
	"svg.bar .track{fill:var(--track)}svg.bar .ci{fill:var(--ci)}"
	"svg.bar .rate{fill:var(--fail)}\n"
	"svg.spark polyline{fill:none;stroke:var(--fail);stroke-width:1.5}\n"
	"svg.chart{width:100%;height:auto;max-width:900px}"
	"svg.chart .axis{stroke:var(--line)}svg.chart text{fill:var(--muted);"
	"font-size:11px}svg.chart .band{fill:var(--ci);opacity:.45}"
	"svg.chart .line{fill:none;stroke:var(--fail);stroke-width:1.5}"
	"svg.chart .dot{fill:var(--fail)}svg.spark .b{fill:var(--fail)}"
	"svg.spark .base{stroke:var(--line)}\n"
	"td.r0{background:var(--r0)}td.r1{background:var(--r1)}td.r2{background:"
	"var(--r2)}td.r3{background:var(--r3)}td.r4{background:var(--r4)}"
	"td.none{color:var(--muted)}\n"
	".hidden{display:none}\n";

static const char app_js[] =
	"/* Table sorting and filtering; the pages work without it. */\n"
	"'use strict';\n"
	"document.addEventListener('DOMContentLoaded', function () {\n"
	"  document.querySelectorAll('table.sortable').forEach(function (t) {\n"
	"    t.querySelectorAll('thead th').forEach(function (th, col) {\n"
	"      var b = document.createElement('button');\n"
	"      b.type = 'button';\n"
	"      while (th.firstChild) b.appendChild(th.firstChild);\n"
	"      th.appendChild(b);\n"
	"      b.addEventListener('click', function () {\n"
	"        var asc = th.getAttribute('aria-sort') !== 'ascending';\n"
	"        t.querySelectorAll('thead th').forEach(function (o) {\n"
	"          o.removeAttribute('aria-sort'); });\n"
	"        th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');\n"
	"        var body = t.tBodies[0];\n"
	"        var rows = Array.prototype.slice.call(body.rows);\n"
	"        function key(r) { var c = r.cells[col]; if (!c) return '';\n"
	"          var v = c.getAttribute('data-v');\n"
	"          return v !== null ? parseFloat(v) : c.textContent.trim(); }\n"
	"        rows.sort(function (a, b) { var x = key(a), y = key(b);\n"
	"          var r = (typeof x === 'number' && typeof y === 'number') ?\n"
	"            x - y : String(x).localeCompare(String(y));\n"
	"          return asc ? r : -r; });\n"
	"        rows.forEach(function (r) { body.appendChild(r); });\n"
	"      });\n"
	"    });\n"
	"  });\n"
	"  var f = document.getElementById('filter');\n"
	"  var t = document.getElementById('tests');\n"
	"  if (f && t) {\n"
	"    f.hidden = false;\n"
	"    var inp = f.querySelector('input');\n"
	"    inp.addEventListener('input', function () {\n"
	"      var s = inp.value.toLowerCase();\n"
	"      Array.prototype.forEach.call(t.tBodies[0].rows, function (r) {\n"
	"        var n = (r.getAttribute('data-name') || '').toLowerCase();\n"
	"        r.classList.toggle('hidden', s !== '' && n.indexOf(s) < 0);\n"
	"      });\n"
	"    });\n"
	"  }\n"
	"});\n";

static void static_reply(struct reply *p, const char *body, size_t len,
			 const char *type)
{
	buf_reset(&p->body);
	if (buf_add(&p->body, body, len)) {
		html_error_page(p, 500, "static file too large");
		return;
	}
	p->status = 200;
	p->content_type = type;
}

void page_static_css(const struct request *q, struct reply *p)
{
	(void)q;
	static_reply(p, app_css, sizeof(app_css) - 1, "text/css; charset=utf-8");
}

void page_static_js(const struct request *q, struct reply *p)
{
	(void)q;
	static_reply(p, app_js, sizeof(app_js) - 1,
		     "text/javascript; charset=utf-8");
}
