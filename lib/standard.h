/* SPDX-License-Identifier: MIT */
/* standard.h - the hosted-equipment standard: rules a host is held against (drift-standard(5)). */
#ifndef DRIFT_STANDARD_H
#define DRIFT_STANDARD_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "baseline.h"
#include "digest.h"
#include "error.h"

enum severity {
	SEVERITY_INFO,
	SEVERITY_WARNING,	/* the default */
	SEVERITY_CRITICAL,
};

/* "info", "warning", "critical" */
const char *severity_name(enum severity s);

/* Where a rule was written, for messages and for auditors. */
struct rule_origin {
	const char *file;	/* the standard file (owned by struct standard) */
	unsigned line, col;
};

/*
 * A regular expression from `matches`, kept with its source text. The
 * loader refuses what glibc compiles at a runaway cost: more than 1024
 * bytes, groups nested deeper than 64, adjacent repetition operators
 * (undefined in POSIX), repetitions adding up to more than 2000 nodes,
 * and back-references.
 */
struct rule_regex {
	char *pattern;		/* POSIX extended regular expression */
	regex_t re;		/* compiled with REG_EXTENDED | REG_NEWLINE | REG_NOSUB */
};

/*
 * One `files:` entry. Only the checks that are set apply. `path` is an
 * exact absolute path or a glob (glob.h syntax); a glob rule applies to
 * every entry it matches and says nothing when none does.
 */
struct file_rule {
	char *id;		/* `id:` if given, else "file:<path>" */
	char *path;
	bool is_glob;
	char *owner, *group;	/* names; NULL = not checked */
	bool has_mode, has_mode_max;
	unsigned mode;		/* exact permission bits (07777) */
	unsigned mode_max;	/* no bit beyond these */
	char *type;		/* "regular", "directory", "symlink", ...; NULL = not checked */
	char *target;		/* symlink target; NULL = not checked */
	bool has_sha256;
	uint8_t sha256[DIGEST_LEN];
	char **contains;	/* substrings the captured content must hold */
	size_t ncontains;
	struct rule_regex *matches;	/* regexes the captured content must match */
	size_t nmatches;
	char **not_contains;	/* substrings it must not hold */
	size_t nnot_contains;
	bool absent;		/* the path must not exist */
	enum severity severity;
	char *description;	/* the why, for people; NULL if none */
	char *remedy;		/* optional override of the computed remedy */
	struct rule_origin origin;
};

/* A `packages:` entry: required (with an optional version constraint) or forbidden. */
enum version_op { VOP_ANY, VOP_GE, VOP_GT, VOP_LE, VOP_LT, VOP_EQ };

struct package_rule {
	char *id;		/* `id:` if given, else "package:<name>" */
	char *name;
	bool forbidden;
	enum version_op op;	/* VOP_ANY: any version */
	char *version;		/* NULL when op == VOP_ANY */
	enum severity severity;
	char *description;
	struct rule_origin origin;
};

/* "", ">=", ">", "<=", "<", "=" */
const char *version_op_name(enum version_op op);

/*
 * A loaded standard, includes resolved: rules of included files first,
 * each later definition of the same file path or package name replacing
 * the earlier one whole (so an overlay can relax or tighten a base rule,
 * or turn a required package into a forbidden one).
 */
struct standard {
	char *name;		/* `standard:` */
	char *version;		/* `version:` (NULL if absent) */
	char *description;
	char *file;		/* the top-level file as given */
	char **hosts;		/* applies_to.hosts globs (fnmatch); none = every host */
	size_t nhosts;
	char **os;		/* applies_to.os globs on "<os_id>-<os_version>"; none = every OS */
	size_t nos;
	struct file_rule *files;
	size_t nfiles;
	struct package_rule *packages;
	size_t npackages;
	char **sources;		/* every file read, top-level first (origins point here) */
	size_t nsources;
};

/*
 * Load path and everything it includes (relative includes are resolved
 * against the including file's directory; cycles, missing includes and
 * more than 32 levels are refused; a file reached twice, as a shared base
 * is, is read only the first time, so a second copy cannot undo the
 * overrides made on top of the first). Only the top-level file's
 * standard/version/description/applies_to count; included files may
 * carry them. Every file is limited to 4 MiB. All-or-nothing: on any
 * error nothing is returned and err says "FILE:LINE:COLUMN: what was
 * expected", with a did-you-mean for unknown keys.
 */
int standard_load(const char *path, struct standard **out, struct drift_error *err);

/*
 * The same from memory (tests, the fuzzer, a standard received over the
 * network): name is what messages and origins call it; relative includes
 * are resolved against the current directory. Same limits and errors.
 */
int standard_load_buffer(const char *name, const char *text, size_t len,
    struct standard **out, struct drift_error *err);
void standard_free(struct standard *s);

/* Does the standard's applies_to cover this baseline's host and OS? */
bool standard_applies(const struct standard *s, const Drift__Baseline *b);

/* --- evaluation --- */

enum finding_status {
	FINDING_FAIL,		/* the host breaks the rule */
	FINDING_UNEVALUATED,	/* the rule could not be checked (e.g. content not captured) */
};

struct finding {
	const char *rule;	/* rule id */
	const char *check;	/* what was checked: "exists", "absent", "owner", "group",
				 * "mode", "mode_max", "type", "target", "sha256",
				 * "contains", "not_contains", "matches", "installed",
				 * "version", "forbidden" */
	enum severity severity;
	enum finding_status status;
	char *subject;		/* the path or package name (paths: exact bytes, NUL-free) */
	size_t subject_len;
	char *message;		/* "mode is 0644; the standard requires 0600" */
	char *remedy;		/* a command a person can type, or plain steps */
	const char *description;	/* the rule's why (points into the standard) */
	const struct rule_origin *origin;
};

struct evaluation {
	struct finding *v;
	size_t n, cap;
	size_t count[3];	/* failed findings per severity */
	size_t unevaluated;
	size_t rules;		/* rules evaluated */
	const char *manager;	/* "dpkg" or "rpm": chooses apt-get or dnf remedies */
};

/*
 * Hold baseline b (with its captured contents) to standard s: one finding
 * per failed check (a glob rule, per matching entry). A content check
 * whose content is not in b (not captured, unreadable, not a regular file)
 * is FINDING_UNEVALUATED, never a pass. Findings are ordered critical
 * first, then by rule order, then by subject. ev is written only on
 * success; 0 or DRIFT_ENOMEM. The evaluation points into s; s must
 * outlive it. Release it with evaluation_release (which zeroes it).
 */
int standard_evaluate(const struct standard *s, const struct baseline *b, struct evaluation *ev);
void evaluation_release(struct evaluation *ev);

/*
 * Monitoring-plugin exit status: 2 a critical failure, else 3 a rule that
 * could not be evaluated, else 1 a warning failure, else 0 (info findings
 * do not change the status).
 */
int evaluation_status(const struct evaluation *ev);

/*
 * Internal to the loader (standard.c reads files and includes,
 * standard_read.c one rule at a time): read one `files:` item or one
 * `packages.required`/`packages.forbidden` item into *r (all of it or
 * nothing; source is the file name origins point to), and free what a
 * rule owns.
 */
struct ydoc;
struct ynode;
int standard_read_file_rule(const struct ydoc *doc, const struct ynode *item,
    const char *source, struct file_rule *r, struct drift_error *err);
int standard_read_package_rule(const struct ydoc *doc, const struct ynode *item,
    bool forbidden, const char *source, struct package_rule *r, struct drift_error *err);
void file_rule_release(struct file_rule *r);
void package_rule_release(struct package_rule *r);

#endif
