/* A binary min-heap of timers, ordered by expiry. */
#include <xen/errno.h>
#include <xen/timer.h>

void timer_queue_init(struct timer_queue *q, struct timer **storage,
		      unsigned int max)
{
	q->heap = storage;
	q->nr = 0;
	q->max = max;
}

static void tq_place(struct timer_queue *q, unsigned int pos, struct timer *t)
{
	q->heap[pos] = t;
	t->heap_pos = pos;
}

static void tq_up(struct timer_queue *q, unsigned int pos)
{
	struct timer *t = q->heap[pos];

	while (pos > 1 && q->heap[pos / 2]->expires > t->expires) {
		tq_place(q, pos, q->heap[pos / 2]);
		pos /= 2;
	}
	tq_place(q, pos, t);
}

static void tq_down(struct timer_queue *q, unsigned int pos)
{
	struct timer *t = q->heap[pos];

	for (;;) {
		unsigned int c = pos * 2;

		if (c > q->nr)
			break;
		if (c < q->nr && q->heap[c + 1]->expires < q->heap[c]->expires)
			c++;
		if (q->heap[c]->expires >= t->expires)
			break;
		tq_place(q, pos, q->heap[c]);
		pos = c;
	}
	tq_place(q, pos, t);
}

bool timer_queue_remove(struct timer_queue *q, struct timer *t)
{
	unsigned int pos = t->heap_pos;
	struct timer *last;

	if (pos == 0 || pos > q->nr || q->heap[pos] != t)
		return false;
	t->heap_pos = 0;
	last = q->heap[q->nr--];
	if (last == t)
		return true;
	tq_place(q, pos, last);
	tq_up(q, pos);
	tq_down(q, last->heap_pos);
	return true;
}

int timer_queue_add(struct timer_queue *q, struct timer *t)
{
	if (t->heap_pos) {
		if (timer_queue_remove(q, t) == false)
			return -EINVAL;
	}
	if (q->nr == q->max)
		return -ENOSPC;
	tq_place(q, ++q->nr, t);
	tq_up(q, q->nr);
	return 0;
}

s_time_t timer_queue_next(const struct timer_queue *q)
{
	return q->nr ? q->heap[1]->expires : 0;
}

unsigned int timer_queue_run(struct timer_queue *q, s_time_t now)
{
	unsigned int ran = 0;

	while (q->nr && q->heap[1]->expires <= now) {
		struct timer *t = q->heap[1];

		timer_queue_remove(q, t);
		t->fn(t->data);
		ran++;
	}
	return ran;
}
