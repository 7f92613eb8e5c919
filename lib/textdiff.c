/* SPDX-License-Identifier: MIT */
/* textdiff.c - unified diffs of two in-memory texts, by a bounded Myers search. */
#include "config.h"

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "textdiff.h"

/*
 * The steps, each described in doc/internals/TEXTDIFF.md:
 *   1. cut both texts into lines;
 *   2. skip the common head and tail;
 *   3. give every remaining line a class number (equal lines, equal
 *      numbers) by sorting, so the search compares integers;
 *   4. mark lines whose class never occurs on the other side as changed
 *      and leave them out of the search (they cannot be matched);
 *   5. Myers' linear-space search on what is left, with a work budget;
 *   6. slide each run of changes to a canonical place, as GNU diff does;
 *   7. print hunks.
 */

/* One text cut into lines. */
struct side {
	const char *text;
	size_t len;
	int n;			/* number of lines */
	size_t *off;		/* line i is text[off[i] .. off[i + 1]) */
	unsigned char *chg_mem;
	/*
	 * chg[i] != 0: line i is removed (old text) or added (new text).
	 * chg[-1] and chg[n] exist and stay 0, so scans need no bounds checks.
	 */
	unsigned char *chg;
};

static int
side_init(struct side *s, const char *text, size_t len)
{
	size_t pos, n = 0;
	const char *nl;
	int i;

	s->text = text;
	s->len = len;
	s->n = 0;
	s->off = NULL;
	s->chg_mem = NULL;
	s->chg = NULL;
	for (pos = 0; pos < len; pos = (size_t)(nl - text) + 1) {
		if ((nl = memchr(text + pos, '\n', len - pos)) == NULL)
			break;
		n++;
	}
	if (len > 0 && text[len - 1] != '\n')
		n++;
	/* len <= TEXTDIFF_MAX_TEXT, so n fits in an int with room to spare. */
	if ((s->off = malloc((n + 1) * sizeof(*s->off))) == NULL ||
	    (s->chg_mem = calloc(n + 2, 1)) == NULL)
		return DRIFT_ENOMEM;
	s->chg = s->chg_mem + 1;
	s->n = (int)n;
	s->off[0] = 0;
	for (i = 0, pos = 0; i + 1 < s->n; i++) {
		nl = memchr(text + pos, '\n', len - pos);
		pos = (size_t)(nl - text) + 1;
		s->off[i + 1] = pos;
	}
	s->off[s->n] = len;
	return 0;
}

static void
side_release(struct side *s)
{
	free(s->off);
	free(s->chg_mem);
	s->off = NULL;
	s->chg_mem = NULL;
	s->chg = NULL;
}

static size_t
line_len(const struct side *s, int i)
{
	return s->off[i + 1] - s->off[i];
}

static const char *
line_ptr(const struct side *s, int i)
{
	return s->text + s->off[i];
}

static bool
line_eq(const struct side *s, int i, const struct side *t, int j)
{
	size_t len = line_len(s, i);

	return len == line_len(t, j) && memcmp(line_ptr(s, i), line_ptr(t, j), len) == 0;
}

/* --- step 3: class numbers ------------------------------------------ */

/*
 * Classes come from sorting rather than a hash table: a table can be
 * flooded by lines crafted to collide, a merge sort costs at most
 * O(bytes * log lines) whatever the lines are (each line takes part in
 * one comparison per merge pass that outputs it).
 */
struct key {
	uint64_t hash;
	uint32_t len;
	uint32_t g;		/* middle line: old text first, then new text */
};

struct classify {
	const struct side *a, *b;
	int pre;		/* lines skipped at the head */
	int ma;			/* middle lines of the old text */
};

static const char *
key_text(const struct classify *cl, uint32_t g)
{
	if ((int)g < cl->ma)
		return line_ptr(cl->a, cl->pre + (int)g);
	return line_ptr(cl->b, cl->pre + (int)g - cl->ma);
}

static int
key_cmp(const struct classify *cl, const struct key *x, const struct key *y)
{
	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return memcmp(key_text(cl, x->g), key_text(cl, y->g), x->len);
}

static uint64_t
hash_line(const char *p, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a */

	while (len-- > 0) {
		h ^= (unsigned char)*p++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* Bottom-up merge sort of n keys; returns the sorted array (keys or tmp). */
static struct key *
sort_keys(const struct classify *cl, struct key *keys, struct key *tmp, size_t n)
{
	struct key *src = keys, *dst = tmp, *t;
	size_t width, lo, mid, hi, i, j, k;

	for (width = 1; width < n; width *= 2) {
		for (lo = 0; lo < n; lo += 2 * width) {
			mid = lo + width < n ? lo + width : n;
			hi = mid + width < n ? mid + width : n;
			i = lo;
			j = mid;
			k = lo;
			while (i < mid && j < hi)
				dst[k++] = key_cmp(cl, &src[j], &src[i]) < 0 ? src[j++] : src[i++];
			while (i < mid)
				dst[k++] = src[i++];
			while (j < hi)
				dst[k++] = src[j++];
		}
		t = src;
		src = dst;
		dst = t;
	}
	return src;
}

/* cls[g] = class of middle line g; *nclasses = number of classes. */
static int
classify_lines(const struct classify *cl, int mb, int *cls, int *nclasses)
{
	size_t n = (size_t)cl->ma + (size_t)mb, g;
	struct key *keys, *tmp = NULL, *sorted;
	int r = DRIFT_ENOMEM, id = 0;

	if ((keys = malloc(n * sizeof(*keys))) == NULL ||
	    (tmp = malloc(n * sizeof(*tmp))) == NULL)
		goto out;
	for (g = 0; g < n; g++) {
		const struct side *s = (int)g < cl->ma ? cl->a : cl->b;
		int line = cl->pre + ((int)g < cl->ma ? (int)g : (int)g - cl->ma);

		keys[g].hash = hash_line(line_ptr(s, line), line_len(s, line));
		keys[g].len = (uint32_t)line_len(s, line);
		keys[g].g = (uint32_t)g;
	}
	sorted = sort_keys(cl, keys, tmp, n);
	for (g = 0; g < n; g++) {
		if (g > 0 && key_cmp(cl, &sorted[g - 1], &sorted[g]) != 0)
			id++;
		cls[sorted[g].g] = id;
	}
	*nclasses = id + 1;
	r = 0;
out:
	free(keys);
	free(tmp);
	return r;
}

/* --- step 5: Myers' search ------------------------------------------ */

struct myers {
	const int *xv, *yv;	/* classes of the searched lines */
	const int *xmap, *ymap;	/* searched index -> line number */
	unsigned char *xchg, *ychg;	/* the sides' change flags */
	int *fv, *bv;		/* furthest x per diagonal k = x - y */
	unsigned long long work, budget;
	int too_expensive;	/* give up on one split past this cost */
};

struct split {
	int x, y;
	bool lo_minimal, hi_minimal;
};

/* How far a snake starting at x0 may run before the budget is spent. */
static int
snake_end(const struct myers *m, int x0, int xlim)
{
	unsigned long long left = m->budget > m->work ? m->budget - m->work : 0;

	if (x0 < xlim && left < (unsigned long long)(xlim - x0))
		return x0 + (int)left;
	return xlim;
}

static int
snake_start(const struct myers *m, int x0, int xoff)
{
	unsigned long long left = m->budget > m->work ? m->budget - m->work : 0;

	if (x0 > xoff && left < (unsigned long long)(x0 - xoff))
		return x0 - (int)left;
	return xoff;
}

/*
 * Find a point (x, y) inside the box [xoff, xlim] x [yoff, ylim] through
 * which a shortest edit path passes, searching from both corners at once
 * (Myers 1986, section 4b). The box must not start or end with equal
 * lines. When the search costs more than too_expensive (unless minimal)
 * or the budget runs out, settle for the point that got furthest: the
 * diff stays correct, it may just not be the shortest.
 */
static void
find_split(struct myers *m, int xoff, int xlim, int yoff, int ylim, bool minimal,
    struct split *sp)
{
	int *const fv = m->fv, *const bv = m->bv;
	const int *const xv = m->xv, *const yv = m->yv;
	const int kmin = xoff - ylim, kmax = xlim - yoff;
	const int fmid = xoff - yoff, bmid = xlim - ylim;
	const bool odd = ((unsigned)(fmid - bmid) & 1) != 0;
	int flo = fmid, fhi = fmid, blo = bmid, bhi = bmid;
	int c, k, x, y, x0, lim, best, bestx;

	fv[fmid] = xoff;
	bv[bmid] = xlim;
	for (c = 1;; c++) {
		/*
		 * Widen each band by a diagonal on both sides, or narrow it
		 * where it meets the box; out-of-band neighbours read as
		 * unreachable (-1 forward, INT_MAX backward).
		 */
		if (flo > kmin)
			fv[--flo - 1] = -1;
		else
			flo++;
		if (fhi < kmax)
			fv[++fhi + 1] = -1;
		else
			fhi--;
		for (k = fhi; k >= flo; k -= 2) {
			x0 = fv[k - 1] < fv[k + 1] ? fv[k + 1] : fv[k - 1] + 1;
			lim = snake_end(m, x0, xlim);
			for (x = x0, y = x0 - k; x < lim && y < ylim && xv[x] == yv[y]; x++, y++)
				;
			m->work += 1 + (unsigned long long)(x - x0);
			fv[k] = x;
			if (odd && blo <= k && k <= bhi && bv[k] <= x) {
				sp->x = x;
				sp->y = y;
				sp->lo_minimal = sp->hi_minimal = true;
				return;
			}
		}
		if (m->work >= m->budget)
			break;

		if (blo > kmin)
			bv[--blo - 1] = INT_MAX;
		else
			blo++;
		if (bhi < kmax)
			bv[++bhi + 1] = INT_MAX;
		else
			bhi--;
		for (k = bhi; k >= blo; k -= 2) {
			x0 = bv[k - 1] < bv[k + 1] ? bv[k - 1] : bv[k + 1] - 1;
			lim = snake_start(m, x0, xoff);
			for (x = x0, y = x0 - k; x > lim && y > yoff && xv[x - 1] == yv[y - 1]; x--, y--)
				;
			m->work += 1 + (unsigned long long)(x0 - x);
			bv[k] = x;
			if (!odd && flo <= k && k <= fhi && x <= fv[k]) {
				sp->x = x;
				sp->y = y;
				sp->lo_minimal = sp->hi_minimal = true;
				return;
			}
		}
		if (m->work >= m->budget || (!minimal && c >= m->too_expensive))
			break;
	}

	/*
	 * Giving up. Both bands are complete here. A value may lie past the
	 * box edge (a path that reached the edge on a neighbouring
	 * diagonal), so clamp each onto the box before comparing.
	 */
	best = -1;
	bestx = xoff;
	for (k = flo; k <= fhi; k += 2) {
		x = fv[k] < xlim ? fv[k] : xlim;
		y = x - k;
		if (y > ylim) {
			y = ylim;
			x = ylim + k;
		}
		if (x + y > best) {
			best = x + y;
			bestx = x;
		}
	}
	sp->x = bestx;
	sp->y = best - bestx;
	sp->lo_minimal = true;
	sp->hi_minimal = false;
	best = INT_MAX;
	bestx = xlim;
	for (k = blo; k <= bhi; k += 2) {
		x = bv[k] > xoff ? bv[k] : xoff;
		y = x - k;
		if (y < yoff) {
			y = yoff;
			x = yoff + k;
		}
		if (x + y < best) {
			best = x + y;
			bestx = x;
		}
	}
	/* Keep whichever search got further from its corner. */
	if ((xlim + ylim) - best >= (sp->x + sp->y) - (xoff + yoff)) {
		sp->x = bestx;
		sp->y = best - bestx;
		sp->lo_minimal = false;
		sp->hi_minimal = true;
	}
}

/*
 * Mark the changes that turn x[xoff, xlim) into y[yoff, ylim). Recurses
 * into the smaller half of each split and loops on the larger, so the
 * stack stays O(log n) deep even when splits are lopsided.
 */
static void
compare(struct myers *m, int xoff, int xlim, int yoff, int ylim, bool minimal)
{
	struct split sp;

	for (;;) {
		while (xoff < xlim && yoff < ylim && m->xv[xoff] == m->yv[yoff]) {
			xoff++;
			yoff++;
		}
		while (xoff < xlim && yoff < ylim && m->xv[xlim - 1] == m->yv[ylim - 1]) {
			xlim--;
			ylim--;
		}
		if (xoff == xlim || yoff == ylim || m->work >= m->budget)
			break;
		find_split(m, xoff, xlim, yoff, ylim, minimal, &sp);
		/* A split that makes no progress would loop: replace the box. */
		if (sp.x < xoff || sp.x > xlim || sp.y < yoff || sp.y > ylim ||
		    (sp.x == xoff && sp.y == yoff) || (sp.x == xlim && sp.y == ylim))
			break;
		if ((sp.x - xoff) + (sp.y - yoff) <= (xlim - sp.x) + (ylim - sp.y)) {
			compare(m, xoff, sp.x, yoff, sp.y, sp.lo_minimal);
			xoff = sp.x;
			yoff = sp.y;
			minimal = sp.hi_minimal;
		} else {
			compare(m, sp.x, xlim, sp.y, ylim, sp.hi_minimal);
			xlim = sp.x;
			ylim = sp.y;
			minimal = sp.lo_minimal;
		}
	}
	for (; xoff < xlim; xoff++)
		m->xchg[m->xmap[xoff]] = 1;
	for (; yoff < ylim; yoff++)
		m->ychg[m->ymap[yoff]] = 1;
}

/* Steps 2-5: fill a->chg and b->chg. */
static int
diff_lines(struct side *a, struct side *b, unsigned long long budget)
{
	struct classify cl;
	struct myers m;
	int *cls = NULL, *xv = NULL, *yv = NULL, *xmap = NULL, *ymap = NULL;
	int *fv = NULL, *bv = NULL;
	unsigned char *seen = NULL;
	int pre = 0, suf = 0, ma, mb, i, nx = 0, ny = 0, nclasses, r;
	size_t diags;

	while (pre < a->n && pre < b->n && line_eq(a, pre, b, pre))
		pre++;
	while (suf < a->n - pre && suf < b->n - pre &&
	    line_eq(a, a->n - 1 - suf, b, b->n - 1 - suf))
		suf++;
	ma = a->n - pre - suf;
	mb = b->n - pre - suf;
	if (ma == 0 || mb == 0) {
		memset(a->chg + pre, 1, (size_t)ma);
		memset(b->chg + pre, 1, (size_t)mb);
		return 0;
	}

	r = DRIFT_ENOMEM;
	if ((cls = malloc(((size_t)ma + (size_t)mb) * sizeof(*cls))) == NULL)
		goto out;
	cl.a = a;
	cl.b = b;
	cl.pre = pre;
	cl.ma = ma;
	if ((r = classify_lines(&cl, mb, cls, &nclasses)) < 0)
		goto out;

	r = DRIFT_ENOMEM;
	if ((seen = calloc((size_t)nclasses, 1)) == NULL ||
	    (xv = malloc((size_t)ma * sizeof(*xv))) == NULL ||
	    (xmap = malloc((size_t)ma * sizeof(*xmap))) == NULL ||
	    (yv = malloc((size_t)mb * sizeof(*yv))) == NULL ||
	    (ymap = malloc((size_t)mb * sizeof(*ymap))) == NULL)
		goto out;
	for (i = 0; i < ma; i++)
		seen[cls[i]] |= 1;
	for (i = 0; i < mb; i++)
		seen[cls[ma + i]] |= 2;
	for (i = 0; i < ma; i++) {
		if (seen[cls[i]] & 2) {
			xv[nx] = cls[i];
			xmap[nx++] = pre + i;
		} else
			a->chg[pre + i] = 1;
	}
	for (i = 0; i < mb; i++) {
		if (seen[cls[ma + i]] & 1) {
			yv[ny] = cls[ma + i];
			ymap[ny++] = pre + i;
		} else
			b->chg[pre + i] = 1;
	}
	free(cls);
	cls = NULL;

	diags = (size_t)nx + (size_t)ny + 3;
	if ((fv = malloc(diags * sizeof(*fv))) == NULL ||
	    (bv = malloc(diags * sizeof(*bv))) == NULL)
		goto out;
	m.xv = xv;
	m.yv = yv;
	m.xmap = xmap;
	m.ymap = ymap;
	m.xchg = a->chg;
	m.ychg = b->chg;
	m.fv = fv + ny + 1;
	m.bv = bv + ny + 1;
	m.work = 0;
	m.budget = budget;
	/* Like GNU diff: about sqrt(diagonals), but at least a generous floor. */
	m.too_expensive = 1;
	for (; diags != 0; diags >>= 2)
		m.too_expensive <<= 1;
	if (m.too_expensive < 1024)
		m.too_expensive = 1024;
	compare(&m, 0, nx, 0, ny, false);
	r = 0;
out:
	free(cls);
	free(seen);
	free(xv);
	free(yv);
	free(xmap);
	free(ymap);
	free(fv);
	free(bv);
	return r;
}

/* --- step 6: canonical placement ------------------------------------ */

struct slider {
	unsigned long long work, budget;	/* bytes compared */
};

static bool
slide_eq(struct slider *sl, const struct side *s, int i, int j)
{
	size_t li = line_len(s, i), lj = line_len(s, j);

	if (sl->work >= sl->budget)
		return false;
	sl->work += 1 + (li < lj ? li : lj);
	return line_eq(s, i, s, j);
}

/*
 * A run of changed lines can often sit in several places (inserting "x"
 * next to an "x"). Merge runs that can touch, then move each run as far
 * down as it goes, but back to where it faces a change in the other text
 * if it passed one, so a replacement prints as one block. This is the
 * placement GNU diff chooses, which keeps our output the same as its.
 * Every step moves a run over an equal line, so the diff stays correct
 * wherever the (bounded) work stops.
 */
static void
slide_runs(struct slider *sl, struct side *s, const struct side *o)
{
	unsigned char *chg = s->chg;
	const unsigned char *och = o->chg;
	const int n = s->n;
	int i = 0, j = 0, start, len, aligned;

	/* Invariant between runs: line s[i] corresponds to line o[j]. */
	for (;;) {
		while (i < n && !chg[i]) {
			while (och[j])
				j++;
			if (j >= o->n)
				return;	/* unpaired lines: list_changes reports it */
			i++;
			j++;
		}
		if (i == n)
			break;
		start = i;
		while (chg[i])
			i++;
		while (och[j])
			j++;
		do {
			len = i - start;
			/* Up, while the line above equals the run's last line. */
			while (start > 0 && slide_eq(sl, s, start - 1, i - 1)) {
				chg[--start] = 1;
				chg[--i] = 0;
				while (chg[start - 1])
					start--;
				do
					j--;
				while (och[j]);
			}
			/* aligned: last run end facing a change in o (n: none). */
			aligned = och[j - 1] ? i : n;
			/* Down, while the line below equals the run's first line. */
			while (i < n && slide_eq(sl, s, start, i)) {
				chg[start++] = 0;
				chg[i++] = 1;
				while (chg[i])
					i++;
				j++;
				while (och[j]) {
					aligned = i;
					j++;
				}
			}
		} while (len != i - start);
		while (aligned < i) {
			chg[--start] = 1;
			chg[--i] = 0;
			do
				j--;
			while (och[j]);
		}
	}
}

/* --- step 7: hunks --------------------------------------------------- */

struct change {
	int a0, an;	/* lines a0 .. a0 + an - 1 of the old text go */
	int b0, bn;	/* lines b0 .. b0 + bn - 1 of the new text come */
};

/*
 * List the changes (chs may be NULL to count them). Unchanged lines must
 * pair up one to one and be equal; anything else is a bug, caught here
 * rather than printed as a wrong diff.
 */
static int
list_changes(const struct side *a, const struct side *b, struct change *chs, size_t *count)
{
	size_t n = 0;
	int i = 0, j = 0;

	while (i < a->n || j < b->n) {
		if (a->chg[i] || b->chg[j]) {
			if (chs != NULL) {
				chs[n].a0 = i;
				chs[n].b0 = j;
			}
			while (a->chg[i])
				i++;
			while (b->chg[j])
				j++;
			if (chs != NULL) {
				chs[n].an = i - chs[n].a0;
				chs[n].bn = j - chs[n].b0;
			}
			n++;
		} else {
			if (i >= a->n || j >= b->n || (chs == NULL && !line_eq(a, i, b, j)))
				return DRIFT_EINTERNAL;
			i++;
			j++;
		}
	}
	*count = n;
	return 0;
}

static int
add_line(struct buf *out, int tag, const struct side *s, int i)
{
	size_t len = line_len(s, i);
	const char *p = line_ptr(s, i);
	int r;

	if ((r = buf_addch(out, tag)) < 0 || (r = buf_add(out, p, len)) < 0)
		return r;
	if (p[len - 1] != '\n')
		r = buf_addstr(out, "\n\\ No newline at end of file\n");
	return r;
}

/* GNU's range: "start,count", "start" for one line, "before,0" for none. */
static int
add_range(struct buf *out, const char *prefix, int start, int count)
{
	if (count == 0)
		return buf_printf(out, "%s%d,0", prefix, start);
	if (count == 1)
		return buf_printf(out, "%s%d", prefix, start + 1);
	return buf_printf(out, "%s%d,%d", prefix, start + 1, count);
}

static int
min_ctx(unsigned context, int lines)
{
	return (unsigned)lines < context ? lines : (int)context;
}

static int
print_hunks(struct buf *out, const char *a_label, const struct side *a,
    const char *b_label, const struct side *b, unsigned context)
{
	struct change *chs = NULL;
	size_t n, h, e, c;
	int i, j, lead, trail, as, ae, bs, be, r;
	unsigned long long join = 2ULL * context;

	if ((r = list_changes(a, b, NULL, &n)) < 0)
		return r;
	if (n == 0)
		return 0;
	if ((chs = calloc(n, sizeof(*chs))) == NULL)
		return DRIFT_ENOMEM;
	if ((r = list_changes(a, b, chs, &n)) < 0)
		goto out;
	if ((r = buf_printf(out, "--- %s\n+++ %s\n", a_label, b_label)) < 0)
		goto out;
	for (h = 0; h < n; h = e) {
		/* Changes at most 2 * context unchanged lines apart share a hunk. */
		for (e = h + 1; e < n; e++)
			if ((unsigned long long)(chs[e].a0 - chs[e - 1].a0 - chs[e - 1].an) > join)
				break;
		lead = min_ctx(context, chs[h].a0 - (h > 0 ? chs[h - 1].a0 + chs[h - 1].an : 0));
		trail = min_ctx(context, (e < n ? chs[e].a0 : a->n) -
		    (chs[e - 1].a0 + chs[e - 1].an));
		as = chs[h].a0 - lead;
		ae = chs[e - 1].a0 + chs[e - 1].an + trail;
		bs = chs[h].b0 - lead;
		be = chs[e - 1].b0 + chs[e - 1].bn + trail;
		if ((r = add_range(out, "@@ -", as, ae - as)) < 0 ||
		    (r = add_range(out, " +", bs, be - bs)) < 0 ||
		    (r = buf_addstr(out, " @@\n")) < 0)
			goto out;
		for (i = as, c = h; c < e; c++) {
			for (; i < chs[c].a0; i++)
				if ((r = add_line(out, ' ', a, i)) < 0)
					goto out;
			for (; i < chs[c].a0 + chs[c].an; i++)
				if ((r = add_line(out, '-', a, i)) < 0)
					goto out;
			for (j = chs[c].b0; j < chs[c].b0 + chs[c].bn; j++)
				if ((r = add_line(out, '+', b, j)) < 0)
					goto out;
		}
		for (; i < ae; i++)
			if ((r = add_line(out, ' ', a, i)) < 0)
				goto out;
	}
	r = 0;
out:
	free(chs);
	return r;
}

int
textdiff_unified_budget(struct buf *out, const char *a_label, const char *a,
    size_t alen, const char *b_label, const char *b, size_t blen, unsigned context,
    unsigned long long budget)
{
	struct side sa = { 0 }, sb = { 0 };
	struct slider sl;
	size_t oldlen = out->len;
	int r;

	if (alen == blen && (alen == 0 || memcmp(a, b, alen) == 0))
		return 0;
	if ((alen > 0 && memchr(a, '\0', alen) != NULL) ||
	    (blen > 0 && memchr(b, '\0', blen) != NULL))
		return buf_printf(out, "Binary files %s and %s differ\n", a_label, b_label);
	if (alen > TEXTDIFF_MAX_TEXT || blen > TEXTDIFF_MAX_TEXT)
		return DRIFT_ETOOBIG;

	if ((r = side_init(&sa, a, alen)) < 0 || (r = side_init(&sb, b, blen)) < 0)
		goto out;
	if ((r = diff_lines(&sa, &sb, budget)) < 0)
		goto out;
	sl.work = 0;
	sl.budget = 16ULL * (alen + blen) + (1ULL << 20);
	slide_runs(&sl, &sa, &sb);
	slide_runs(&sl, &sb, &sa);
	r = print_hunks(out, a_label, &sa, b_label, &sb, context);
out:
	if (r < 0) {
		/* Each append left out consistent; drop what this call added. */
		out->len = oldlen;
		if (out->data != NULL)
			out->data[oldlen] = '\0';
	}
	side_release(&sa);
	side_release(&sb);
	return r;
}

int
textdiff_unified(struct buf *out, const char *a_label, const char *a, size_t alen,
    const char *b_label, const char *b, size_t blen, unsigned context)
{
	return textdiff_unified_budget(out, a_label, a, alen, b_label, b, blen, context,
	    TEXTDIFF_DEFAULT_BUDGET);
}
