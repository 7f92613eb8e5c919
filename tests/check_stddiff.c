/* SPDX-License-Identifier: MIT */
/* check_stddiff.c - classifying changes between standards (table-driven), the three renderers, and standards written from baselines. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "baseline.h"
#include "buf.h"
#include "digest.h"
#include "standard.h"
#include "stddiff.h"
#include "stdgen.h"

Suite *make_stddiff_suite(void);

/* --- building standards by hand --- */

#define P "/etc/ssh/sshd_config"
#define STD(nm, ...) { .name = nm, .file = nm ".yaml", __VA_ARGS__ }
#define FILES(...) .files = (struct file_rule[]){ __VA_ARGS__ }, \
	.nfiles = sizeof((struct file_rule[]){ __VA_ARGS__ }) / sizeof(struct file_rule)
#define PKGS(...) .packages = (struct package_rule[]){ __VA_ARGS__ }, \
	.npackages = sizeof((struct package_rule[]){ __VA_ARGS__ }) / sizeof(struct package_rule)
#define LIST(...) (char *[]){ __VA_ARGS__ }, sizeof((char *[]){ __VA_ARGS__ }) / sizeof(char *)
#define HOSTS(...) .hosts = (char *[]){ __VA_ARGS__ }, \
	.nhosts = sizeof((char *[]){ __VA_ARGS__ }) / sizeof(char *)
#define OS(...) .os = (char *[]){ __VA_ARGS__ }, \
	.nos = sizeof((char *[]){ __VA_ARGS__ }) / sizeof(char *)
#define MODE(m) .has_mode = true, .mode = (m)
#define MODE_MAX(m) .has_mode_max = true, .mode_max = (m)
#define CONTAINS(...) .contains = (char *[]){ __VA_ARGS__ }, \
	.ncontains = sizeof((char *[]){ __VA_ARGS__ }) / sizeof(char *)
#define NOT_CONTAINS(...) .not_contains = (char *[]){ __VA_ARGS__ }, \
	.nnot_contains = sizeof((char *[]){ __VA_ARGS__ }) / sizeof(char *)
#define MATCHES(...) .matches = (struct rule_regex[]){ __VA_ARGS__ }, \
	.nmatches = sizeof((struct rule_regex[]){ __VA_ARGS__ }) / sizeof(struct rule_regex)
#define FR(...) { __VA_ARGS__ }
#define REQ(nm, o, v, ...) { .name = nm, .op = (o), .version = v, __VA_ARGS__ }
#define FORBID(nm, ...) { .name = nm, .forbidden = true, __VA_ARGS__ }
#define SHA_A { 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, \
	0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, \
	0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa }
#define SHA_B { 0xbb, 0xbb, 0xbb, 0xbb, 0xbb, 0xbb, 0xbb, 0xbb, 0xbb, 0xbb, 0xbb, 0xbb, \
	0xbb, 0xbb, 0xbb, 0xbb, 0xbb, 0xbb, 0xbb, 0xbb, 0xbb, 0xbb, 0xbb, 0xbb, 0xbb, 0xbb, \
	0xbb, 0xbb, 0xbb, 0xbb, 0xbb, 0xbb }
#define HEX_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define HEX_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

enum { ADDED = STDDIFF_ADDED, REMOVED = STDDIFF_REMOVED, TIGHTENED = STDDIFF_TIGHTENED,
	LOOSENED = STDDIFF_LOOSENED, CHANGED = STDDIFF_CHANGED };
enum { T = STDDIFF_DIR_TIGHTENED, L = STDDIFF_DIR_LOOSENED, C = STDDIFF_DIR_CHANGED };
enum { META = STDDIFF_METADATA, SCOPE = STDDIFF_APPLIES_TO, FILE_ = STDDIFF_FILE,
	PKG = STDDIFF_PACKAGE };

struct want {
	int kind, dir, type;
	const char *subject, *attribute, *old, *new_;
	const char *message;	/* NULL: not checked */
};

struct sd_case {
	const char *name;
	struct standard old, new_;
	size_t nwant;
	struct want want[4];
};

static const struct sd_case cases[] = {
	/* whole rules */
	{ "new file rule", STD("s"),
	  STD("s", FILES(FR(.path = P, .owner = "root", MODE(0600), .severity = SEVERITY_CRITICAL))),
	  1, { { ADDED, T, FILE_, P, "rule", NULL, "owner root, mode 0600, severity critical",
	  "new rule for /etc/ssh/sshd_config: owner root, mode 0600, severity critical" } } },
	{ "removed file rule",
	  STD("s", FILES(FR(.path = P, .owner = "root", MODE(0600), .severity = SEVERITY_CRITICAL))),
	  STD("s"),
	  1, { { REMOVED, L, FILE_, P, "rule", "owner root, mode 0600, severity critical", NULL,
	  "rule for /etc/ssh/sshd_config removed (was: owner root, mode 0600, severity critical)" } } },
	{ "new required package", STD("s"),
	  STD("s", PKGS(REQ("openssh-server", VOP_GE, "1:9.2p1", .severity = SEVERITY_CRITICAL))),
	  1, { { ADDED, T, PKG, "openssh-server", "rule", NULL, "required >= 1:9.2p1, severity critical",
	  "new rule for package openssh-server: required >= 1:9.2p1, severity critical" } } },
	{ "removed forbidden package",
	  STD("s", PKGS(FORBID("telnetd", .severity = SEVERITY_WARNING))), STD("s"),
	  1, { { REMOVED, L, PKG, "telnetd", "rule", "forbidden, severity warning", NULL,
	  "rule for package telnetd removed (was: forbidden, severity warning)" } } },
	{ "a rule with no checks must exist", STD("s"), STD("s", FILES(FR(.path = "/etc/motd"))),
	  1, { { ADDED, T, FILE_, "/etc/motd", "rule", NULL, "exists, severity info", NULL } } },

	/* checks added to and removed from a rule */
	{ "new check", STD("s", FILES(FR(.path = P, .owner = "root"))),
	  STD("s", FILES(FR(.path = P, .owner = "root", MODE(0600)))),
	  1, { { ADDED, T, FILE_, P, "mode", NULL, "0600", "new check on /etc/ssh/sshd_config: mode 0600" } } },
	{ "removed check", STD("s", FILES(FR(.path = P, .owner = "root", MODE(0600)))),
	  STD("s", FILES(FR(.path = P, MODE(0600)))),
	  1, { { REMOVED, L, FILE_, P, "owner", "root", NULL, "check removed from /etc/ssh/sshd_config: owner root" } } },
	{ "absent added", STD("s", FILES(FR(.path = "/etc/hosts.equiv"))),
	  STD("s", FILES(FR(.path = "/etc/hosts.equiv", .absent = true))),
	  1, { { ADDED, T, FILE_, "/etc/hosts.equiv", "absent", NULL, "true", "new check on /etc/hosts.equiv: absent" } } },
	{ "absent removed", STD("s", FILES(FR(.path = "/etc/x", .absent = true))),
	  STD("s", FILES(FR(.path = "/etc/x"))),
	  1, { { REMOVED, L, FILE_, "/etc/x", "absent", "true", NULL, "check removed from /etc/x: absent" } } },
	{ "type added", STD("s", FILES(FR(.path = "/etc/x"))), STD("s", FILES(FR(.path = "/etc/x", .type = "directory"))),
	  1, { { ADDED, T, FILE_, "/etc/x", "type", NULL, "directory", NULL } } },
	{ "target removed", STD("s", FILES(FR(.path = "/etc/x", .target = "/a"))), STD("s", FILES(FR(.path = "/etc/x"))),
	  1, { { REMOVED, L, FILE_, "/etc/x", "target", "/a", NULL, NULL } } },
	{ "sha256 added", STD("s", FILES(FR(.path = "/etc/x"))),
	  STD("s", FILES(FR(.path = "/etc/x", .has_sha256 = true, .sha256 = SHA_A))),
	  1, { { ADDED, T, FILE_, "/etc/x", "sha256", NULL, HEX_A, NULL } } },

	/* exact mode: fewer bits tighten, more loosen, others change */
	{ "mode loosened", STD("s", FILES(FR(.path = P, MODE(0600)))), STD("s", FILES(FR(.path = P, MODE(0644)))),
	  1, { { LOOSENED, L, FILE_, P, "mode", "0600", "0644",
	  "mode of /etc/ssh/sshd_config loosened from 0600 to 0644" } } },
	{ "mode tightened", STD("s", FILES(FR(.path = P, MODE(0644)))), STD("s", FILES(FR(.path = P, MODE(0600)))),
	  1, { { TIGHTENED, T, FILE_, P, "mode", "0644", "0600",
	  "mode of /etc/ssh/sshd_config tightened from 0644 to 0600" } } },
	{ "mode neither subset", STD("s", FILES(FR(.path = P, MODE(0640)))), STD("s", FILES(FR(.path = P, MODE(0604)))),
	  1, { { CHANGED, C, FILE_, P, "mode", "0640", "0604", "mode of /etc/ssh/sshd_config changed from 0640 to 0604" } } },
	{ "setuid bit added loosens", STD("s", FILES(FR(.path = "/usr/bin/x", MODE(0755)))),
	  STD("s", FILES(FR(.path = "/usr/bin/x", MODE(04755)))),
	  1, { { LOOSENED, L, FILE_, "/usr/bin/x", "mode", "0755", "4755", NULL } } },
	{ "mode 0 from 0600 tightens", STD("s", FILES(FR(.path = "/x", MODE(0600)))), STD("s", FILES(FR(.path = "/x", MODE(0)))),
	  1, { { TIGHTENED, T, FILE_, "/x", "mode", "0600", "0000", NULL } } },
	/* mode_max likewise */
	{ "mode_max tightened", STD("s", FILES(FR(.path = "/etc/shadow", MODE_MAX(0644)))),
	  STD("s", FILES(FR(.path = "/etc/shadow", MODE_MAX(0640)))),
	  1, { { TIGHTENED, T, FILE_, "/etc/shadow", "mode_max", "0644", "0640",
	  "mode_max of /etc/shadow tightened from 0644 to 0640" } } },
	{ "mode_max loosened", STD("s", FILES(FR(.path = "/etc/shadow", MODE_MAX(0640)))),
	  STD("s", FILES(FR(.path = "/etc/shadow", MODE_MAX(0660)))),
	  1, { { LOOSENED, L, FILE_, "/etc/shadow", "mode_max", "0640", "0660", NULL } } },
	{ "mode_max changed", STD("s", FILES(FR(.path = "/etc/shadow", MODE_MAX(0640)))),
	  STD("s", FILES(FR(.path = "/etc/shadow", MODE_MAX(0604)))),
	  1, { { CHANGED, C, FILE_, "/etc/shadow", "mode_max", "0640", "0604", NULL } } },
	{ "exact mode swapped for mode_max", STD("s", FILES(FR(.path = "/etc/shadow", MODE(0640)))),
	  STD("s", FILES(FR(.path = "/etc/shadow", MODE_MAX(0640)))),
	  2, { { REMOVED, L, FILE_, "/etc/shadow", "mode", "0640", NULL, NULL },
	  { ADDED, T, FILE_, "/etc/shadow", "mode_max", NULL, "0640", NULL } } },

	/* severity */
	{ "severity raised", STD("s", FILES(FR(.path = P, .severity = SEVERITY_WARNING))),
	  STD("s", FILES(FR(.path = P, .severity = SEVERITY_CRITICAL))),
	  1, { { TIGHTENED, T, FILE_, P, "severity", "warning", "critical",
	  "severity of /etc/ssh/sshd_config tightened from warning to critical" } } },
	{ "severity lowered", STD("s", PKGS(REQ("nginx", VOP_ANY, NULL, .severity = SEVERITY_CRITICAL))),
	  STD("s", PKGS(REQ("nginx", VOP_ANY, NULL, .severity = SEVERITY_INFO))),
	  1, { { LOOSENED, L, PKG, "nginx", "severity", "critical", "info",
	  "severity of package nginx loosened from critical to info" } } },

	/* required <-> forbidden share one key */
	{ "required to forbidden", STD("s", PKGS(REQ("telnetd", VOP_GE, "1.0"))), STD("s", PKGS(FORBID("telnetd"))),
	  1, { { CHANGED, C, PKG, "telnetd", "forbidden", "required >= 1.0", "forbidden",
	  "package telnetd changed from required >= 1.0 to forbidden" } } },
	{ "forbidden to required", STD("s", PKGS(FORBID("telnetd", .severity = SEVERITY_CRITICAL))),
	  STD("s", PKGS(REQ("telnetd", VOP_ANY, NULL, .severity = SEVERITY_WARNING))),
	  2, { { CHANGED, C, PKG, "telnetd", "required", "forbidden", "required",
	  "package telnetd changed from forbidden to required" },
	  { LOOSENED, L, PKG, "telnetd", "severity", "critical", "warning", NULL } } },

	/* version constraints */
	{ ">= higher minimum", STD("s", PKGS(REQ("nginx", VOP_GE, "1.0"))), STD("s", PKGS(REQ("nginx", VOP_GE, "2.0"))),
	  1, { { TIGHTENED, T, PKG, "nginx", "version", ">= 1.0", ">= 2.0",
	  "version of package nginx tightened from >= 1.0 to >= 2.0" } } },
	{ ">= lower minimum", STD("s", PKGS(REQ("nginx", VOP_GE, "2.0"))), STD("s", PKGS(REQ("nginx", VOP_GE, "1.0"))),
	  1, { { LOOSENED, L, PKG, "nginx", "version", ">= 2.0", ">= 1.0", NULL } } },
	{ "> higher minimum", STD("s", PKGS(REQ("nginx", VOP_GT, "1.0"))), STD("s", PKGS(REQ("nginx", VOP_GT, "1.1"))),
	  1, { { TIGHTENED, T, PKG, "nginx", "version", "> 1.0", "> 1.1", NULL } } },
	{ "<= lower maximum", STD("s", PKGS(REQ("nginx", VOP_LE, "2.0"))), STD("s", PKGS(REQ("nginx", VOP_LE, "1.0"))),
	  1, { { TIGHTENED, T, PKG, "nginx", "version", "<= 2.0", "<= 1.0", NULL } } },
	{ "< higher maximum", STD("s", PKGS(REQ("nginx", VOP_LT, "1.0"))), STD("s", PKGS(REQ("nginx", VOP_LT, "2.0"))),
	  1, { { LOOSENED, L, PKG, "nginx", "version", "< 1.0", "< 2.0", NULL } } },
	{ "operator switched >= to <=", STD("s", PKGS(REQ("nginx", VOP_GE, "1.0"))),
	  STD("s", PKGS(REQ("nginx", VOP_LE, "1.0"))),
	  1, { { CHANGED, C, PKG, "nginx", "version", ">= 1.0", "<= 1.0", NULL } } },
	{ "operator switched >= to >", STD("s", PKGS(REQ("nginx", VOP_GE, "1.0"))),
	  STD("s", PKGS(REQ("nginx", VOP_GT, "1.0"))),
	  1, { { CHANGED, C, PKG, "nginx", "version", ">= 1.0", "> 1.0", NULL } } },
	{ "= other version", STD("s", PKGS(REQ("nginx", VOP_EQ, "1.0"))), STD("s", PKGS(REQ("nginx", VOP_EQ, "2.0"))),
	  1, { { CHANGED, C, PKG, "nginx", "version", "= 1.0", "= 2.0", NULL } } },
	{ "constraint added", STD("s", PKGS(REQ("nginx", VOP_ANY, NULL))), STD("s", PKGS(REQ("nginx", VOP_GE, "1.0"))),
	  1, { { ADDED, T, PKG, "nginx", "version", NULL, ">= 1.0", "new check on package nginx: version >= 1.0" } } },
	{ "constraint removed", STD("s", PKGS(REQ("nginx", VOP_GE, "1.0"))), STD("s", PKGS(REQ("nginx", VOP_ANY, NULL))),
	  1, { { REMOVED, L, PKG, "nginx", "version", ">= 1.0", NULL, "check removed from package nginx: version >= 1.0" } } },
	/* dpkg ordering, not string order: 1.0~rc1 < 1.0, 2.0 < 1:1.0 (dpkg --compare-versions) */
	{ "dpkg tilde", STD("s", PKGS(REQ("nginx", VOP_GE, "1.0~rc1"))), STD("s", PKGS(REQ("nginx", VOP_GE, "1.0"))),
	  1, { { TIGHTENED, T, PKG, "nginx", "version", ">= 1.0~rc1", ">= 1.0", NULL } } },
	{ "dpkg epoch", STD("s", PKGS(REQ("nginx", VOP_GE, "2.0"))), STD("s", PKGS(REQ("nginx", VOP_GE, "1:1.0"))),
	  1, { { TIGHTENED, T, PKG, "nginx", "version", ">= 2.0", ">= 1:1.0", NULL } } },
	/* only rpm parses '_': rpm.vercmp("1_a", "1_1") is -1, dpkg's order would say +1 */
	{ "rpm-only versions", STD("s", PKGS(REQ("kernel", VOP_GE, "1_a"))), STD("s", PKGS(REQ("kernel", VOP_GE, "1_1"))),
	  1, { { TIGHTENED, T, PKG, "kernel", "version", ">= 1_a", ">= 1_1", NULL } } },
	{ "same version spelled otherwise", STD("s", PKGS(REQ("nginx", VOP_GE, "1.0"))),
	  STD("s", PKGS(REQ("nginx", VOP_GE, "1.00"))),
	  1, { { CHANGED, C, PKG, "nginx", "version", ">= 1.0", ">= 1.00", NULL } } },
	{ "forbidden rules have no version", STD("s", PKGS(FORBID("telnetd"))), STD("s", PKGS(FORBID("telnetd"))),
	  0, { { 0 } } },

	/* values with no order */
	{ "owner changed", STD("s", FILES(FR(.path = P, .owner = "root"))), STD("s", FILES(FR(.path = P, .owner = "daemon"))),
	  1, { { CHANGED, C, FILE_, P, "owner", "root", "daemon", "owner of /etc/ssh/sshd_config changed from root to daemon" } } },
	{ "group changed", STD("s", FILES(FR(.path = P, .group = "root"))), STD("s", FILES(FR(.path = P, .group = "ssh"))),
	  1, { { CHANGED, C, FILE_, P, "group", "root", "ssh", NULL } } },
	{ "type changed", STD("s", FILES(FR(.path = "/x", .type = "regular"))), STD("s", FILES(FR(.path = "/x", .type = "symlink"))),
	  1, { { CHANGED, C, FILE_, "/x", "type", "regular", "symlink", NULL } } },
	{ "target changed", STD("s", FILES(FR(.path = "/x", .target = "/a"))), STD("s", FILES(FR(.path = "/x", .target = "/b"))),
	  1, { { CHANGED, C, FILE_, "/x", "target", "/a", "/b", "target of /x changed from /a to /b" } } },
	{ "sha256 changed", STD("s", FILES(FR(.path = "/x", .has_sha256 = true, .sha256 = SHA_A))),
	  STD("s", FILES(FR(.path = "/x", .has_sha256 = true, .sha256 = SHA_B))),
	  1, { { CHANGED, C, FILE_, "/x", "sha256", HEX_A, HEX_B, NULL } } },

	/* list checks: items added tighten, items removed loosen */
	{ "contains item added", STD("s", FILES(FR(.path = P, CONTAINS("Protocol 2")))),
	  STD("s", FILES(FR(.path = P, CONTAINS("Protocol 2", "PermitRootLogin no")))),
	  1, { { ADDED, T, FILE_, P, "contains", NULL, "PermitRootLogin no",
	  "new check on /etc/ssh/sshd_config: contains \"PermitRootLogin no\"" } } },
	{ "contains item removed", STD("s", FILES(FR(.path = P, CONTAINS("a", "b")))),
	  STD("s", FILES(FR(.path = P, CONTAINS("b")))),
	  1, { { REMOVED, L, FILE_, P, "contains", "a", NULL, "check removed from /etc/ssh/sshd_config: contains \"a\"" } } },
	{ "not_contains item added", STD("s", FILES(FR(.path = P))),
	  STD("s", FILES(FR(.path = P, NOT_CONTAINS("PermitEmptyPasswords yes")))),
	  1, { { ADDED, T, FILE_, P, "not_contains", NULL, "PermitEmptyPasswords yes", NULL } } },
	{ "matches item replaced", STD("s", FILES(FR(.path = P, MATCHES({ .pattern = "^Protocol 2$" })))),
	  STD("s", FILES(FR(.path = P, MATCHES({ .pattern = "^Protocol[[:space:]]+2$" })))),
	  2, { { REMOVED, L, FILE_, P, "matches", "^Protocol 2$", NULL, NULL },
	  { ADDED, T, FILE_, P, "matches", NULL, "^Protocol[[:space:]]+2$", NULL } } },
	{ "list order does not matter", STD("s", FILES(FR(.path = P, CONTAINS("a", "b")))),
	  STD("s", FILES(FR(.path = P, CONTAINS("b", "a")))), 0, { { 0 } } },

	/* words for people: changed, with no direction */
	{ "description only", STD("s", FILES(FR(.path = P, .description = "old why"))),
	  STD("s", FILES(FR(.path = P, .description = "new why"))),
	  1, { { CHANGED, C, FILE_, P, "description", "old why", "new why",
	  "description of /etc/ssh/sshd_config changed from \"old why\" to \"new why\"" } } },
	{ "description added", STD("s", PKGS(FORBID("telnetd"))), STD("s", PKGS(FORBID("telnetd", .description = "clear text"))),
	  1, { { CHANGED, C, PKG, "telnetd", "description", NULL, "clear text",
	  "description of package telnetd set to \"clear text\"" } } },
	{ "remedy removed", STD("s", FILES(FR(.path = "/x", .remedy = "do it"))), STD("s", FILES(FR(.path = "/x"))),
	  1, { { CHANGED, C, FILE_, "/x", "remedy", "do it", NULL, "remedy of /x removed (was \"do it\")" } } },
	{ "rule id changed", STD("s", FILES(FR(.path = "/x", .id = "a"))), STD("s", FILES(FR(.path = "/x", .id = "b"))),
	  1, { { CHANGED, C, FILE_, "/x", "id", "a", "b", NULL } } },

	/* applies_to */
	{ "hosts glob added widens", STD("s", HOSTS("web*")), STD("s", HOSTS("web*", "db*")),
	  1, { { ADDED, T, SCOPE, "db*", "hosts", NULL, "db*",
	  "applies_to.hosts now also matches db* (more hosts held to the standard)" } } },
	{ "hosts glob removed narrows", STD("s", HOSTS("web*", "db*")), STD("s", HOSTS("web*")),
	  1, { { REMOVED, L, SCOPE, "db*", "hosts", "db*", NULL,
	  "applies_to.hosts no longer matches db* (fewer hosts held to the standard)" } } },
	{ "first hosts glob narrows every host", STD("s"), STD("s", HOSTS("web*", "db*")),
	  1, { { LOOSENED, L, SCOPE, "hosts", "hosts", NULL, "web*, db*",
	  "applies_to.hosts narrowed from every host to web*, db* (fewer hosts held to the standard)" } } },
	{ "last hosts glob dropped widens to every host", STD("s", HOSTS("web*")), STD("s"),
	  1, { { TIGHTENED, T, SCOPE, "hosts", "hosts", "web*", NULL,
	  "applies_to.hosts widened from web* to every host (more hosts held to the standard)" } } },
	{ "os glob replaced", STD("s", OS("debian-12")), STD("s", OS("debian-*")),
	  2, { { REMOVED, L, SCOPE, "debian-12", "os", "debian-12", NULL, NULL },
	  { ADDED, T, SCOPE, "debian-*", "os", NULL, "debian-*", NULL } } },

	/* the standard itself */
	{ "version changed", STD("s", .version = "2026.1"), STD("s", .version = "2026.2"),
	  1, { { CHANGED, C, META, "s", "version", "2026.1", "2026.2",
	  "version of standard s changed from 2026.1 to 2026.2" } } },
	{ "renamed", STD("a"), STD("b"),
	  1, { { CHANGED, C, META, "b", "name", "a", "b", "standard renamed from a to b" } } },

	/* nothing, and many rules at once in key order */
	{ "identical",
	  STD("s", .version = "1", HOSTS("web*"), FILES(FR(.path = P, .owner = "root", MODE(0600), CONTAINS("x")),
	  FR(.path = "/etc/**", MODE_MAX(0755))), PKGS(REQ("a", VOP_GE, "1"), FORBID("b"))),
	  STD("s", .version = "1", HOSTS("web*"), FILES(FR(.path = "/etc/**", MODE_MAX(0755)),
	  FR(.path = P, .owner = "root", MODE(0600), CONTAINS("x"))), PKGS(FORBID("b"), REQ("a", VOP_GE, "1"))),
	  0, { { 0 } } },
	{ "ordered by key", STD("s", FILES(FR(.path = "/b"), FR(.path = "/a", MODE(0600)))),
	  STD("s", FILES(FR(.path = "/c"), FR(.path = "/a", MODE(0644)))),
	  3, { { LOOSENED, L, FILE_, "/a", "mode", "0600", "0644", NULL },
	  { REMOVED, L, FILE_, "/b", "rule", "exists, severity info", NULL, NULL },
	  { ADDED, T, FILE_, "/c", "rule", NULL, "exists, severity info", NULL } } },
	/* odd bytes are quoted in messages, kept exact in values */
	{ "odd path quoted", STD("s"), STD("s", FILES(FR(.path = "/etc/a\nb \"c\""))),
	  1, { { ADDED, T, FILE_, "/etc/a\nb \"c\"", "rule", NULL, "exists, severity info",
	  "new rule for \"/etc/a\\nb \\\"c\\\"\": exists, severity info" } } },
};

static bool
streq(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

START_TEST(test_classify)
{
	const struct sd_case *k = &cases[_i];
	struct stddiff d;
	size_t i, total = 0;

	ck_assert_int_eq(stddiff_compare(&k->old, &k->new_, &d), 0);
	for (i = 0; d.n != k->nwant && i < d.n; i++)
		fprintf(stderr, "%s: got %s/%s %s %s: %s\n", k->name, stddiff_kind_name(d.v[i].kind),
		    stddiff_direction_name(d.v[i].direction), d.v[i].subject, d.v[i].attribute,
		    d.v[i].message);
	ck_assert_msg(d.n == k->nwant, "%s: %zu changes, expected %zu", k->name, d.n, k->nwant);
	for (i = 0; i < k->nwant; i++) {
		const struct want *w = &k->want[i];
		const struct stddiff_change *ch = &d.v[i];

		ck_assert_msg((int)ch->kind == w->kind, "%s: kind %s", k->name, stddiff_kind_name(ch->kind));
		ck_assert_msg((int)ch->direction == w->dir, "%s: direction %s", k->name,
		    stddiff_direction_name(ch->direction));
		ck_assert_msg((int)ch->rule_type == w->type, "%s: rule type %s", k->name,
		    stddiff_rule_type_name(ch->rule_type));
		ck_assert_msg(streq(ch->subject, w->subject), "%s: subject %s", k->name, ch->subject);
		ck_assert_msg(streq(ch->attribute, w->attribute), "%s: attribute %s", k->name, ch->attribute);
		ck_assert_msg(streq(ch->old, w->old), "%s: old '%s', expected '%s'", k->name,
		    ch->old ? ch->old : "(null)", w->old ? w->old : "(null)");
		ck_assert_msg(streq(ch->new_, w->new_), "%s: new '%s', expected '%s'", k->name,
		    ch->new_ ? ch->new_ : "(null)", w->new_ ? w->new_ : "(null)");
		if (w->message != NULL)
			ck_assert_msg(strcmp(ch->message, w->message) == 0, "%s: message '%s'\n expected '%s'",
			    k->name, ch->message, w->message);
	}
	for (i = 0; i < STDDIFF_NDIR; i++)
		total += d.count[i];
	ck_assert_uint_eq(total, d.n);
	stddiff_release(&d);
}
END_TEST

/* 3 tightened, 1 loosened, 2 changed: the summary line and the text groups. */
static const struct standard mix_old = STD("web", .version = "2026.1",
    FILES(FR(.path = P, MODE(0600), .owner = "root"), FR(.path = "/etc/a|b", MODE(0644))),
    PKGS(REQ("nginx", VOP_GE, "1.0"), REQ("telnetd", VOP_ANY, NULL)));
static const struct standard mix_new = STD("web", .version = "2026.1",
    FILES(FR(.path = P, MODE(0600), .owner = "daemon", .severity = SEVERITY_CRITICAL),
    FR(.path = "/etc/a|b", MODE(0640)), FR(.path = "/etc/new", .absent = true)),
    PKGS(REQ("nginx", VOP_GE, "0.9"), FORBID("telnetd")));

START_TEST(test_summary_and_text)
{
	struct stddiff d;
	char sum[128], *out = NULL;
	size_t len = 0;
	FILE *f;

	ck_assert_int_eq(stddiff_compare(&mix_old, &mix_new, &d), 0);
	ck_assert_str_eq(stddiff_summary(&d, sum, sizeof(sum)), "3 requirements tightened, 1 loosened, 2 changed");
	ck_assert_ptr_nonnull(f = open_memstream(&out, &len));
	ck_assert_int_eq(stddiff_format_find("text")->render(f, &d), 0);
	fclose(f);
	ck_assert_str_eq(out,
	    "standard web 2026.1 (web.yaml) -> web 2026.1 (web.yaml)\n"
	    "3 requirements tightened, 1 loosened, 2 changed\n"
	    "\n"
	    "tightened:\n"
	    "  mode of /etc/a|b tightened from 0644 to 0640\n"
	    "  new rule for /etc/new: absent, severity info\n"
	    "  severity of /etc/ssh/sshd_config tightened from info to critical\n"
	    "\n"
	    "loosened:\n"
	    "  version of package nginx loosened from >= 1.0 to >= 0.9\n"
	    "\n"
	    "changed:\n"
	    "  owner of /etc/ssh/sshd_config changed from root to daemon\n"
	    "  package telnetd changed from required to forbidden\n");
	free(out);
	stddiff_release(&d);
}
END_TEST

START_TEST(test_no_differences)
{
	struct stddiff d;
	char sum[128], *out = NULL;
	size_t len = 0;
	FILE *f;

	ck_assert_int_eq(stddiff_compare(&mix_old, &mix_old, &d), 0);
	ck_assert_uint_eq(d.n, 0);
	ck_assert_str_eq(stddiff_summary(&d, sum, sizeof(sum)), "no differences");
	ck_assert_ptr_nonnull(f = open_memstream(&out, &len));
	ck_assert_int_eq(stddiff_format_find("markdown")->render(f, &d), 0);
	fclose(f);
	ck_assert_ptr_null(strstr(out, "|---"));
	ck_assert_ptr_nonnull(strstr(out, "no differences"));
	free(out);
	stddiff_release(&d);
}
END_TEST

/* What a shell command printed with in on its standard input (free it); fails on exit != 0. */
static char *
run(const char *cmd, const char *in)
{
	char infile[] = "/tmp/drift-check-stddiff-XXXXXX", full[8192], blk[4096], *out = NULL;
	size_t len = 0, n;
	FILE *o, *p;
	int fd, status;

	ck_assert_int_ge(fd = mkstemp(infile), 0);
	ck_assert_int_eq(write(fd, in, strlen(in)), (ssize_t)strlen(in));
	close(fd);
	snprintf(full, sizeof(full), "(%s) < %s", cmd, infile);
	ck_assert_ptr_nonnull(o = open_memstream(&out, &len));
	ck_assert_ptr_nonnull(p = popen(full, "r"));
	while ((n = fread(blk, 1, sizeof(blk), p)) > 0)
		fwrite(blk, 1, n, o);
	status = pclose(p);
	fclose(o);
	unlink(infile);
	ck_assert_msg(status == 0, "'%s' failed (%d): %s\ninput:\n%s", cmd, status, out, in);
	return out;
}

/* Run a Python program on in; its output (free it). */
static char *
python(const char *prog, const char *in)
{
	char path[] = "/tmp/drift-check-stddiff-py-XXXXXX", cmd[64], *out;
	int fd;

	ck_assert_int_ge(fd = mkstemp(path), 0);
	ck_assert_int_eq(write(fd, prog, strlen(prog)), (ssize_t)strlen(prog));
	close(fd);
	snprintf(cmd, sizeof(cmd), "python3 %s", path);
	out = run(cmd, in);
	unlink(path);
	return out;
}

static char *
render(const char *format, const struct stddiff *d)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	ck_assert_ptr_nonnull(f = open_memstream(&out, &len));
	ck_assert_int_eq(stddiff_format_find(format)->render(f, d), 0);
	fclose(f);
	return out;
}

/* Python's json module reads it back, and every field of the contract is there. */
START_TEST(test_json)
{
	static const char prog[] =
	    "import json, sys\n"
	    "d = json.load(sys.stdin)\n"
	    "assert d['old'] == {'standard': 'web', 'version': '2026.1', 'file': 'web.yaml'}, d['old']\n"
	    "assert d['summary'] == {'tightened': 3, 'loosened': 1, 'changed': 2}, d['summary']\n"
	    "keys = {'kind', 'direction', 'rule_type', 'subject', 'rule', 'attribute', 'old', 'new',\n"
	    "        'message', 'old_origin', 'new_origin'}\n"
	    "for c in d['changes']:\n"
	    "    assert set(c) == keys, sorted(c)\n"
	    "    assert c['direction'] in ('tightened', 'loosened', 'changed')\n"
	    "c = [c for c in d['changes'] if c['subject'] == 'telnetd'][0]\n"
	    "assert (c['kind'], c['attribute'], c['old'], c['new']) == ('changed', 'forbidden', 'required', 'forbidden'), c\n"
	    "c = [c for c in d['changes'] if c['subject'] == '/etc/new'][0]\n"
	    "assert (c['kind'], c['direction'], c['old']) == ('added', 'tightened', None), c\n"
	    "assert c['old_origin'] is None and c['new_origin']['line'] == 7, c\n"
	    "print(len(d['changes']))\n";
	struct standard n = mix_new;
	struct file_rule files[3];
	struct stddiff d;
	char *out, *py;

	/* an origin for one rule, as the loader would give */
	memcpy(files, mix_new.files, sizeof(files));
	files[2].origin.file = "web.yaml";
	files[2].origin.line = 7;
	files[2].origin.col = 5;
	n.files = files;
	ck_assert_int_eq(stddiff_compare(&mix_old, &n, &d), 0);
	out = render("json", &d);
	py = python(prog, out);
	ck_assert_uint_eq(strtoul(py, NULL, 10), d.n);
	free(py);
	free(out);
	stddiff_release(&d);
}
END_TEST

/* Each row has as many unescaped '|' as the header, so a '|' in a path cannot break the table. */
static size_t
cells(const char *line, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		if (line[i] == '\\') {
			i++;
			continue;
		}
		n += line[i] == '|';
	}
	return n;
}

START_TEST(test_markdown)
{
	struct stddiff d;
	char *out, *line, *nl;
	size_t rows = 0, header = 0;

	ck_assert_int_eq(stddiff_compare(&mix_old, &mix_new, &d), 0);
	out = render("markdown", &d);
	ck_assert_ptr_nonnull(strstr(out,
	    "| Direction | Change | Rule type | Subject | Attribute | Old | New | Summary |\n"
	    "|---|---|---|---|---|---|---|---|\n"));
	ck_assert_ptr_nonnull(strstr(out, "| tightened | tightened | file | ` /etc/a\\|b ` | mode | ` 0644 ` | ` 0640 ` | mode of /etc/a\\|b tightened from 0644 to 0640 |\n"));
	for (line = out; (nl = strchr(line, '\n')) != NULL; line = nl + 1) {
		if (line[0] != '|')
			continue;
		if (header == 0)
			header = cells(line, (size_t)(nl - line));
		else if (line[1] != '-')
			rows++;
		ck_assert_uint_eq(cells(line, (size_t)(nl - line)), header);
	}
	ck_assert_uint_eq(header, 9);
	ck_assert_uint_eq(rows, d.n);
	free(out);
	stddiff_release(&d);
}
END_TEST

/* --- real standards: YAML with includes and overrides, through standard_load --- */

static void
put_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

static struct standard *
load_file(const char *dir, const char *name)
{
	struct drift_error err = { 0 };
	struct standard *s = NULL;
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ck_assert_msg(standard_load(path, &s, &err) == 0, "%s: %s", path, err.msg);
	return s;
}

static const struct stddiff_change *
find(const struct stddiff *d, const char *subject, const char *attribute)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (strcmp(d->v[i].subject, subject) == 0 && strcmp(d->v[i].attribute, attribute) == 0)
			return &d->v[i];
	ck_abort_msg("no change of %s of %s", attribute, subject);
	return NULL;
}

START_TEST(test_yaml_with_includes)
{
	char dir[] = "/tmp/drift-check-stddiff-XXXXXX", cmd[600];
	struct standard *a, *b;
	const struct stddiff_change *ch;
	struct stddiff d;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	put_file(dir, "base.yaml",
	    "files:\n"
	    "  - path: /etc/ssh/sshd_config\n"
	    "    owner: root\n"
	    "    mode: \"0600\"\n"
	    "packages:\n"
	    "  required:\n"
	    "    - name: openssh-server\n"
	    "      version: \">= 1:9.0\"\n"
	    "  forbidden: [telnetd]\n");
	put_file(dir, "old.yaml",
	    "standard: web\n"
	    "version: \"2026.1\"\n"
	    "include: base.yaml\n"
	    "applies_to: {hosts: [\"web*\"]}\n"
	    "files:\n"
	    "  - path: /etc/shadow\n"
	    "    mode_max: \"0640\"\n");
	put_file(dir, "new.yaml",
	    "standard: web\n"
	    "version: 2026.2\n"
	    "include: [base.yaml]\n"
	    "applies_to: {hosts: [\"web*\", \"api*\"]}\n"
	    "files:\n"
	    "  - path: /etc/shadow\n"
	    "    mode_max: \"0640\"\n"
	    "    severity: critical\n"
	    "  - path: /etc/ssh/sshd_config\n"
	    "    mode: \"0644\"\n"
	    "packages:\n"
	    "  required:\n"
	    "    - name: openssh-server\n"
	    "      version: \">= 1:9.2p1\"\n");
	a = load_file(dir, "old.yaml");
	b = load_file(dir, "new.yaml");
	ck_assert_int_eq(stddiff_compare(a, b, &d), 0);
	ck_assert_uint_eq(d.n, 6);
	ch = find(&d, "web", "version");
	ck_assert_str_eq(ch->old, "2026.1");
	ck_assert_str_eq(ch->new_, "2026.2");
	ck_assert_int_eq(find(&d, "api*", "hosts")->kind, STDDIFF_ADDED);
	ck_assert_int_eq(find(&d, "/etc/shadow", "severity")->direction, STDDIFF_DIR_TIGHTENED);
	ck_assert_int_eq(find(&d, P, "owner")->kind, STDDIFF_REMOVED);
	ch = find(&d, P, "mode");
	ck_assert_str_eq(ch->message, "mode of /etc/ssh/sshd_config loosened from 0600 to 0644");
	/* the override is where the auditor must look: in new.yaml, not base.yaml */
	ck_assert_ptr_nonnull(ch->new_origin);
	ck_assert_ptr_nonnull(strstr(ch->new_origin->file, "new.yaml"));
	ck_assert_uint_eq(ch->new_origin->line, 9);
	ck_assert_ptr_nonnull(strstr(ch->old_origin->file, "base.yaml"));
	ch = find(&d, "openssh-server", "version");
	ck_assert_int_eq(ch->kind, STDDIFF_TIGHTENED);
	ck_assert_str_eq(ch->old, ">= 1:9.0");
	stddiff_release(&d);
	standard_free(a);
	standard_free(b);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* --- standards written from a baseline --- */

struct safe_case {
	const char *s;
	bool safe;
};

static const struct safe_case safe_cases[] = {
	{ "/etc/ssh/sshd_config", true },
	{ "/etc/my file \"quoted\" \\", true },
	{ "/etc/\xc3\xa9t\xc3\xa9", true },		/* été */
	{ "/etc/\xf0\x9f\x94\x91", true },		/* U+1F511 */
	{ "/etc/a\nb", false },
	{ "/etc/a\tb", false },
	{ "/etc/a\x7f", false },
	{ "/etc/\xff", false },				/* not UTF-8 */
	{ "/etc/\xc0\xaf", false },			/* overlong */
	{ "/etc/\xc2\x85", false },			/* NEL, a YAML line break */
	{ "/etc/\xc2\x9b", false },			/* C1 CSI */
	{ "/etc/\xe2\x80\xa8", false },			/* U+2028 */
	{ "/etc/\xe2\x80\xa9", false },			/* U+2029 */
	{ "/etc/\xef\xbb\xbf", false },			/* BOM */
	{ "/etc/\xef\xbf\xbe", false },			/* U+FFFE */
	{ "/etc/\xc2\xa0", true },			/* no-break space */
};

START_TEST(test_yaml_safe)
{
	const struct safe_case *k = &safe_cases[_i];

	ck_assert_msg(stdgen_yaml_safe(k->s, strlen(k->s)) == k->safe, "'%s' should be %s", k->s,
	    k->safe ? "safe" : "unsafe");
}
END_TEST

static Drift__FileEntry *
entry(const char *path, Drift__FileType type, unsigned mode, unsigned uid, const char *owner,
    const char *group)
{
	Drift__FileEntry *e = calloc(1, sizeof(*e));

	ck_assert_ptr_nonnull(e);
	drift__file_entry__init(e);
	e->path.data = (uint8_t *)path;
	e->path.len = strlen(path);
	e->type = type;
	e->mode = mode;
	e->uid = e->gid = uid;
	e->owner = (char *)owner;
	e->group = (char *)group;
	return e;
}

static Drift__PackageEntry *
package(const char *name, const char *version, const char *arch, const char *status)
{
	Drift__PackageEntry *p = calloc(1, sizeof(*p));

	ck_assert_ptr_nonnull(p);
	drift__package_entry__init(p);
	p->manager = (char *)"dpkg";
	p->name = (char *)name;
	p->version = (char *)version;
	p->arch = (char *)arch;
	p->status = (char *)status;
	return p;
}

static int
entry_cmp(const void *a, const void *b)
{
	return file_entry_cmp(*(Drift__FileEntry *const *)a, *(Drift__FileEntry *const *)b);
}

#define REG DRIFT__FILE_TYPE__FILE_TYPE_REGULAR
#define DIR_ DRIFT__FILE_TYPE__FILE_TYPE_DIRECTORY
#define LNK DRIFT__FILE_TYPE__FILE_TYPE_SYMLINK

struct gen_fixture {
	Drift__Baseline pb;
	Drift__HostFacts host;
	Drift__FileEntry *files[16];
	Drift__PackageEntry *pkgs[8];
	size_t nfiles, npkgs;	/* what to free: tests shorten the baseline's lists */
	uint8_t sha[DIGEST_LEN];
	struct baseline b;
};

static void
gen_fixture(struct gen_fixture *x)
{
	size_t n = 0;

	memset(x, 0, sizeof(*x));
	drift__baseline__init(&x->pb);
	drift__host_facts__init(&x->host);
	x->host.hostname = (char *)"web1";
	x->host.os_id = (char *)"debian";
	x->host.os_version = (char *)"12";
	x->host.os_pretty = (char *)"Debian GNU/Linux 12 (bookworm)";
	x->pb.host = &x->host;
	x->pb.host_id = (char *)"web1";
	x->pb.taken_at_ns = INT64_C(1790000000) * 1000000000;
	x->files[n++] = entry("/etc", DIR_, 0755, 0, "root", "root");
	x->files[n++] = entry("/etc/bad\xffname", REG, 0644, 0, "root", "root");
	x->files[n++] = entry("/etc/glob*[x]?\\", REG, 0644, 0, "root", "root");
	x->files[n++] = entry("/etc/link", LNK, 0777, 0, "root", "root");
	x->files[n - 1]->target.data = (uint8_t *)"../usr/share/x";
	x->files[n - 1]->target.len = strlen("../usr/share/x");
	x->files[n++] = entry("/etc/nel\xc2\x85", REG, 0644, 0, "root", "root");
	x->files[n++] = entry("/etc/new\nline", REG, 0644, 0, "root", "root");
	x->files[n++] = entry("/etc/odd-target", LNK, 0777, 0, "root", "root");
	x->files[n - 1]->target.data = (uint8_t *)"/x\xff";
	x->files[n - 1]->target.len = 3;
	x->files[n++] = entry("/etc/quote\"d", REG, 0600, 4242, "", "");
	x->files[n++] = entry("/etc/shadow", REG, 0640, 0, "root", "shadow");
	ck_assert_int_eq(digest_sha256("secret", 6, x->sha), 0);
	x->files[n - 1]->sha256.data = x->sha;
	x->files[n - 1]->sha256.len = DIGEST_LEN;
	x->files[n++] = entry("/etc/ssh", DIR_, 0755, 0, "root", "root");
	x->files[n++] = entry("/etc/\xc3\xa9t\xc3\xa9", REG, 0644, 0, "root", "root");
	x->files[n++] = entry("/etc/\xe2\x80\xa8sep", REG, 0644, 0, "root", "root");
	x->files[n++] = entry("/usr/bin/x", REG, 04755, 0, "root", "root");
	qsort(x->files, n, sizeof(x->files[0]), entry_cmp);
	x->pb.files = x->files;
	x->pb.n_files = x->nfiles = n;
	n = 0;
	x->pkgs[n++] = package("libc6", "2.36-9", "amd64", "installed");
	x->pkgs[n++] = package("libc6", "2.36-8", "i386", "installed");
	x->pkgs[n++] = package("nginx", "1.22.1-9", "amd64", "hold");
	x->pkgs[n++] = package("openssh-server", "1:9.2p1-2+deb12u3", "amd64", "installed");
	x->pkgs[n++] = package("telnetd", "0.17-44", "amd64", "config-files");
	x->pb.packages = x->pkgs;
	x->pb.n_packages = x->npkgs = n;
	x->b.pb = &x->pb;
	x->b.name = (char *)"web1.drift";
}

static void
gen_fixture_release(struct gen_fixture *x)
{
	size_t i;

	for (i = 0; i < x->nfiles; i++)
		free(x->files[i]);
	for (i = 0; i < x->npkgs; i++)
		free(x->pkgs[i]);
}

static const struct file_rule *
rule_for(const struct standard *s, const char *path)
{
	size_t i;

	for (i = 0; i < s->nfiles; i++)
		if (strcmp(s->files[i].path, path) == 0)
			return &s->files[i];
	return NULL;
}

static const struct package_rule *
package_rule_for(const struct standard *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->npackages; i++)
		if (strcmp(s->packages[i].name, name) == 0)
			return &s->packages[i];
	return NULL;
}

/* The output loads, says what the baseline says, and the baseline meets it; a change breaks it. */
START_TEST(test_from_baseline_round_trip)
{
	const struct stdgen_options o = { .hashes = true, .source = "web1.drift", .now = 1790000100 };
	struct stdgen_stats st;
	struct buf out = BUF_INIT(STDGEN_MAX);
	struct drift_error err = { 0 };
	struct gen_fixture x;
	struct standard *s = NULL;
	struct evaluation ev = { 0 };
	const struct file_rule *r;
	const struct package_rule *p;
	size_t i;

	gen_fixture(&x);
	ck_assert_int_eq(stdgen_write(&out, &x.b, &o, &st), 0);
	ck_assert_msg(standard_load_buffer("gen.yaml", out.data, out.len, &s, &err) == 0,
	    "%s\n%s", err.msg, out.data);
	ck_assert_uint_eq(st.skipped, 4);
	ck_assert_uint_eq(st.files, 7);
	ck_assert_uint_eq(st.packages, 3);
	ck_assert_uint_eq(s->nfiles, 7);
	ck_assert_uint_eq(s->npackages, 3);
	ck_assert_str_eq(s->name, "baseline-web1");
	ck_assert_ptr_nonnull(strstr(out.data, "\n  # skipped /etc/new\\012line: the path is not valid UTF-8"));
	ck_assert_ptr_nonnull(strstr(out.data, "\n  # skipped /etc/bad\\377name: "));
	ck_assert_ptr_nonnull(strstr(out.data, "2026-09-21T"));	/* generated: o.now */

	/* glob bytes of a literal path are escaped, and the rule still means that one path */
	ck_assert_ptr_nonnull(r = rule_for(s, "/etc/glob\\*\\[x]\\?\\\\"));
	ck_assert(r->is_glob);
	ck_assert(r->has_mode && r->mode == 0644 && r->type == NULL && !r->has_sha256);
	ck_assert_ptr_nonnull(r = rule_for(s, "/etc/shadow"));
	ck_assert_str_eq(r->owner, "root");
	ck_assert_str_eq(r->group, "shadow");
	ck_assert_uint_eq(r->mode, 0640);
	ck_assert(r->has_sha256 && memcmp(r->sha256, x.sha, DIGEST_LEN) == 0);
	ck_assert_ptr_nonnull(r = rule_for(s, "/etc/quote\"d"));
	ck_assert_str_eq(r->owner, "4242");
	ck_assert_ptr_nonnull(r = rule_for(s, "/etc/link"));
	ck_assert_str_eq(r->type, "symlink");
	ck_assert_str_eq(r->target, "../usr/share/x");
	ck_assert(!r->has_mode);
	ck_assert_ptr_nonnull(r = rule_for(s, "/etc/odd-target"));
	ck_assert_ptr_null(r->target);
	ck_assert_ptr_nonnull(r = rule_for(s, "/etc/ssh"));
	ck_assert_str_eq(r->type, "directory");
	ck_assert_ptr_nonnull(rule_for(s, "/etc/\xc3\xa9t\xc3\xa9"));
	ck_assert_ptr_null(rule_for(s, "/etc"));
	ck_assert_ptr_null(rule_for(s, "/usr/bin/x"));
	/* two architectures: the lower version, which both meet; config-files is not installed */
	ck_assert_ptr_nonnull(p = package_rule_for(s, "libc6"));
	ck_assert(p->op == VOP_GE && strcmp(p->version, "2.36-8") == 0 && !p->forbidden);
	ck_assert_ptr_nonnull(p = package_rule_for(s, "openssh-server"));
	ck_assert_str_eq(p->version, "1:9.2p1-2+deb12u3");
	ck_assert_ptr_nonnull(package_rule_for(s, "nginx"));
	ck_assert_ptr_null(package_rule_for(s, "telnetd"));

	ck_assert_int_eq(standard_evaluate(s, &x.b, &ev), 0);
	for (i = 0; i < ev.n; i++)
		fprintf(stderr, "finding: %s %s: %s\n", ev.v[i].rule, ev.v[i].check, ev.v[i].message);
	ck_assert_uint_eq(ev.n, 0);
	ck_assert_int_eq(evaluation_status(&ev), 0);
	evaluation_release(&ev);

	/* chmod, a new hash, a package removed: each is found */
	for (i = 0; i < x.pb.n_files; i++)
		if (strcmp((const char *)x.files[i]->path.data, "/etc/shadow") == 0)
			x.files[i]->mode = 0644;
	x.sha[0] ^= 1;
	x.pb.n_packages = 2;	/* libc6 only */
	memset(&ev, 0, sizeof(ev));
	ck_assert_int_eq(standard_evaluate(s, &x.b, &ev), 0);
	ck_assert_uint_eq(ev.n, 4);	/* mode, sha256, nginx, openssh-server */
	evaluation_release(&ev);
	standard_free(s);
	buf_release(&out);
	gen_fixture_release(&x);
}
END_TEST

START_TEST(test_from_baseline_paths_and_limits)
{
	static const char *const paths[] = { "/usr/**", "/etc/ssh" };
	struct stdgen_options o = { .paths = paths, .npaths = 2, .name = "my std", .now = 0 };
	struct stdgen_stats st;
	struct buf out = BUF_INIT(STDGEN_MAX), small = BUF_INIT(200);
	struct drift_error err = { 0 };
	struct gen_fixture x;
	struct standard *s = NULL;

	gen_fixture(&x);
	ck_assert_int_eq(stdgen_write(&out, &x.b, &o, &st), 0);
	ck_assert_msg(standard_load_buffer("gen.yaml", out.data, out.len, &s, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(s->name, "my std");
	ck_assert_uint_eq(s->nfiles, 2);
	ck_assert_ptr_nonnull(rule_for(s, "/usr/bin/x"));
	ck_assert_uint_eq(rule_for(s, "/usr/bin/x")->mode, 04755);
	ck_assert(!rule_for(s, "/usr/bin/x")->has_sha256);
	ck_assert_ptr_nonnull(rule_for(s, "/etc/ssh"));
	ck_assert_uint_eq(st.skipped, 0);
	standard_free(s);

	/* too big for its buffer: a clean error, the buffer as it was */
	ck_assert_int_eq(buf_addstr(&small, "keep"), 0);
	ck_assert_int_eq(stdgen_write(&small, &x.b, &o, &st), DRIFT_ETOOBIG);
	ck_assert_str_eq(small.data, "keep");

	/* a name YAML cannot carry is refused */
	o.name = "a\nb";
	ck_assert_int_eq(stdgen_write(&out, &x.b, &o, &st), DRIFT_EINVAL);

	/* nothing selected: still a standard that loads */
	buf_reset(&out);
	o.name = NULL;
	o.paths = (const char *const[]){ "/nowhere/**" };
	o.npaths = 1;
	x.pb.n_packages = 0;
	ck_assert_int_eq(stdgen_write(&out, &x.b, &o, &st), 0);
	ck_assert_msg(standard_load_buffer("gen.yaml", out.data, out.len, &s, &err) == 0, "%s\n%s",
	    err.msg, out.data);
	ck_assert_uint_eq(s->nfiles + s->npackages, 0);
	standard_free(s);
	buf_release(&out);
	buf_release(&small);
	gen_fixture_release(&x);
}
END_TEST

Suite *
make_stddiff_suite(void)
{
	Suite *s = suite_create("stddiff");
	TCase *tc = tcase_create("classify");

	tcase_add_loop_test(tc, test_classify, 0, sizeof(cases) / sizeof(cases[0]));
	tcase_add_test(tc, test_summary_and_text);
	tcase_add_test(tc, test_no_differences);
	tcase_add_test(tc, test_json);
	tcase_add_test(tc, test_markdown);
	tcase_add_test(tc, test_yaml_with_includes);
	suite_add_tcase(s, tc);
	tc = tcase_create("from-baseline");
	tcase_add_loop_test(tc, test_yaml_safe, 0, sizeof(safe_cases) / sizeof(safe_cases[0]));
	tcase_add_test(tc, test_from_baseline_round_trip);
	tcase_add_test(tc, test_from_baseline_paths_and_limits);
	suite_add_tcase(s, tc);
	return s;
}
