/* SPDX-License-Identifier: MIT */
/* version.h - package version ordering as dpkg and rpm define it. */
#ifndef DRIFT_VERSION_H
#define DRIFT_VERSION_H

/*
 * Compare two full version strings ("[epoch:]upstream[-revision]").
 * Returns <0, 0 or >0 like strcmp. Never fails: malformed strings are
 * ordered deterministically (see version_check_* to reject them).
 */
int version_compare_dpkg(const char *a, const char *b);
int version_compare_rpm(const char *a, const char *b);

/* By manager name: "rpm" uses rpm ordering, anything else dpkg's. */
int version_compare(const char *manager, const char *a, const char *b);

/* 0 when v is a syntactically valid version for that manager, else DRIFT_EINVAL. */
int version_check_dpkg(const char *v);
int version_check_rpm(const char *v);

#endif
