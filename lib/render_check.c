/* SPDX-License-Identifier: MIT */
/* render_check.c - an evaluation against a standard: text for people, JSON, one Nagios line. */
#include "config.h"

#include <string.h>

#include "json.h"
#include "quote.h"
#include "render.h"

static const char *const status_words[] = { "OK", "WARNING", "CRITICAL", "UNKNOWN" };

static void
counts(const struct evaluation *ev, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
#define PART(n, word) do { \
	if ((n) > 0 && len < size) \
		len += (size_t)snprintf(buf + len, size - len, "%s%zu %s", len ? ", " : "", (size_t)(n), word); \
} while (0)
	PART(ev->count[SEVERITY_CRITICAL], "critical");
	PART(ev->count[SEVERITY_WARNING], ev->count[SEVERITY_WARNING] == 1 ? "warning" : "warnings");
	PART(ev->count[SEVERITY_INFO], "info");
	PART(ev->unevaluated, "could not be evaluated");
#undef PART
}

int
render_check_text(FILE *f, const struct baseline *b, const struct standard *s,
    const struct evaluation *ev)
{
	char sum[256];
	size_t i;

	counts(ev, sum, sizeof(sum));
	fprintf(f, "%s: %s %s%s%s", render_host_name(b->pb),
	    evaluation_status(ev) == 0 ? "compliant with" : "not compliant with",
	    s->name, s->version ? " " : "", s->version ? s->version : "");
	if (sum[0] != '\0')
		fprintf(f, " (%s)", sum);
	fprintf(f, "; %zu rules checked\n", ev->rules);
	for (i = 0; i < ev->n; i++) {
		const struct finding *x = &ev->v[i];
		const char *label = x->status == FINDING_UNEVALUATED ? "UNCHECKED" :
		    x->severity == SEVERITY_CRITICAL ? "CRITICAL" :
		    x->severity == SEVERITY_WARNING ? "WARNING" : "INFO";

		fprintf(f, "\n%-9s ", label);
		quote_path(f, x->subject, x->subject_len);
		fprintf(f, ": %s\n", x->message);
		if (x->description != NULL)
			fprintf(f, "          why: %s\n", x->description);
		if (x->remedy != NULL)
			fprintf(f, "          fix: %s\n", x->remedy);
		fprintf(f, "          rule: %s", x->rule);
		if (x->origin != NULL && x->origin->file != NULL)
			fprintf(f, " (%s:%u)", x->origin->file, x->origin->line);
		putc('\n', f);
	}
	return render_finish(f);
}

void
render_json_finding(FILE *f, const struct finding *x)
{
	fputs("{\"rule\": ", f);
	json_cstr(f, x->rule);
	fputs(", \"check\": ", f);
	json_cstr(f, x->check);
	fprintf(f, ", \"severity\": \"%s\", \"status\": \"%s\", ", severity_name(x->severity),
	    x->status == FINDING_UNEVALUATED ? "unevaluated" : "fail");
	json_bytes_field(f, "subject", x->subject, x->subject_len);
	fputs(", \"message\": ", f);
	json_cstr(f, x->message);
	fputs(", \"remedy\": ", f);
	json_cstr(f, x->remedy);
	fputs(", \"description\": ", f);
	json_cstr(f, x->description);
	if (x->origin != NULL && x->origin->file != NULL) {
		fputs(", \"source\": {\"file\": ", f);
		json_cstr(f, x->origin->file);
		fprintf(f, ", \"line\": %u}", x->origin->line);
	}
	putc('}', f);
}

int
render_check_json(FILE *f, const struct baseline *b, const struct standard *s,
    const struct evaluation *ev)
{
	static const char *const status_json[] = { "ok", "warning", "critical", "unknown" };
	size_t i;

	fputs("{\"host\": ", f);
	json_cstr(f, render_host_name(b->pb));
	fputs(", \"standard\": ", f);
	json_cstr(f, s->name);
	fputs(", \"standard_version\": ", f);
	json_cstr(f, s->version);
	fprintf(f, ", \"compliant\": %s, \"status\": \"%s\", \"rules\": %zu, "
	    "\"counts\": {\"critical\": %zu, \"warning\": %zu, \"info\": %zu, \"unevaluated\": %zu},\n"
	    " \"findings\": [",
	    evaluation_status(ev) == 0 ? "true" : "false", status_json[evaluation_status(ev)], ev->rules,
	    ev->count[SEVERITY_CRITICAL], ev->count[SEVERITY_WARNING], ev->count[SEVERITY_INFO],
	    ev->unevaluated);
	for (i = 0; i < ev->n; i++) {
		fputs(i ? ",\n  " : "\n  ", f);
		render_json_finding(f, &ev->v[i]);
	}
	fputs("]}\n", f);
	return render_finish(f);
}

/* '|' starts the perfdata and a newline ends the plugin output: neither may appear. */
static void
nagios_text(FILE *f, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len && i < 300; i++) {
		unsigned char c = (unsigned char)s[i];

		putc(c < 0x20 || c == '|' ? '?' : c, f);
	}
}

int
render_check_nagios(FILE *f, const struct baseline *b, const struct standard *s,
    const struct evaluation *ev)
{
	int st = evaluation_status(ev);
	char sum[256];

	counts(ev, sum, sizeof(sum));
	fprintf(f, "DRIFT %s - %s", status_words[st], render_host_name(b->pb));
	if (ev->n == 0)
		fprintf(f, " complies with %s", s->name);
	else
		fprintf(f, " against %s: %s", s->name, sum);
	if (ev->n > 0) {
		/* The first finding is the worst: name it so the page says what to look at. */
		const struct finding *x = &ev->v[0];

		fputs("; first: ", f);
		nagios_text(f, x->subject, x->subject_len);
		putc(' ', f);
		nagios_text(f, x->message, strlen(x->message));
	}
	fprintf(f, " | critical=%zu warning=%zu info=%zu unevaluated=%zu\n",
	    ev->count[SEVERITY_CRITICAL], ev->count[SEVERITY_WARNING], ev->count[SEVERITY_INFO],
	    ev->unevaluated);
	return render_finish(f);
}
