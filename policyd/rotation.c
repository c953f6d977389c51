/*
 * rotation.c - which rotation of its next-hop list a lookup gets.
 *
 * Lists rotate once per rotation_interval, not per lookup: qmgr resolves
 * the recipients of one message one after another within milliseconds,
 * so they get the same next-hop string and leave in one delivery
 * (delayed fan-out), while successive messages spread across the list
 * (seed 004). The number is a count of the intervals in which new keys
 * were looked up, starting at the clock's interval number: successive
 * messages take successive rotations however the mail is paced, where
 * the clock's interval number modulo the list length would alias with a
 * steady rate and leave the share of each host to chance.
 *
 * Each recipient is looked up twice for one message: by smtpd at RCPT
 * (reject_unauth_destination resolves it) and by qmgr when the message
 * enters the active queue. So a key keeps the rotation of its first
 * lookup for ROTATION_KEEP_MS: the second lookup neither advances the
 * count nor gets another list, and each message moves the rotation on
 * by one, not by one or two at random. The memory is a fixed table of
 * ROTATION_SLOTS (key hash, rotation, time), one place per hash,
 * overwritten: a key pushed out only gets a fresh rotation. A key is
 * not kept longer than ROTATION_KEEP_MS from its first lookup, however
 * often it is looked up, so a busy recipient still spreads.
 */
#include <stdlib.h>
#include <string.h>

#include "policyd.h"
#include "xmalloc.h"

#define ROTATION_SLOTS		4096	/* a power of two */

struct policyd_rotkeep {
	uint64_t	 hash;		/* odd; 0: empty */
	uint64_t	 at_ms;		/* the key's first lookup */
	unsigned	 rot;
};

/* policyd_rotation - see policyd.h */
unsigned
policyd_rotation(struct policyd *pd, int advance)
{
	uint64_t iv = pd->set->rotation_interval ? pd->set->rotation_interval :
	    1, w = pd->now_ms() / iv;

	if (!pd->rot_started) {
		pd->rot_started = 1;
		pd->rot_window = w;
		pd->rot = (unsigned)w;
	} else if (advance && w != pd->rot_window) {
		pd->rot_window = w;
		pd->rot++;
	}
	return pd->rot;
}

/* policyd_rotation_key - see policyd.h */
unsigned
policyd_rotation_key(struct policyd *pd, const char *key, size_t len)
{
	uint64_t h = policyd_hash(key, len) | 1, now = pd->now_ms();
	struct policyd_rotkeep *k;

	if (pd->rotkeep == NULL)
		pd->rotkeep = xcalloc(ROTATION_SLOTS, sizeof(*pd->rotkeep));
	k = &pd->rotkeep[h & (ROTATION_SLOTS - 1)];
	if (k->hash == h && now >= k->at_ms &&
	    now - k->at_ms < ROTATION_KEEP_MS)
		return k->rot;
	k->hash = h;
	k->at_ms = now;
	k->rot = policyd_rotation(pd, 1);
	return k->rot;
}

/* policyd_rotation_free - see policyd.h */
void
policyd_rotation_free(struct policyd *pd)
{
	free(pd->rotkeep);
	pd->rotkeep = NULL;
}
