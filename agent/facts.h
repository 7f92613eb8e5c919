/* SPDX-License-Identifier: MIT */
/* facts.h - what a host says about itself: names, OS release, kernel. */
#ifndef DRIFT_AGENT_FACTS_H
#define DRIFT_AGENT_FACTS_H

#include "drift.pb-c.h"
#include "error.h"

/*
 * Fill h (strings malloc'd; release with facts_release) from root:
 * ROOT/etc/hostname (live: gethostname), ROOT/etc/machine-id,
 * ROOT/etc/os-release or ROOT/usr/lib/os-release; kernel and arch from
 * uname for the live system only (an image has no running kernel).
 */
int facts_collect(const char *root, Drift__HostFacts *h);
void facts_release(Drift__HostFacts *h);

#endif
