/*
 * Grants in a small domain: its own grant table (entries it writes to let
 * others at its frames) and the grant operations on others' entries.
 * Refs below STUB_GNTTAB_RESERVED are the builder's (console, xenstore).
 */
#ifndef STUB_GNTTAB_H
#define STUB_GNTTAB_H

#include <stdbool.h>
#include <public/grant_table.h>
#include <stub/mm.h>

#define STUB_GNTTAB_RESERVED 8

/* Set up and map nr_frames grant frames; 0 or a negative errno/status. */
long stub_gnttab_init(unsigned int nr_frames);
/* The entry of ref, for tests. */
volatile struct grant_entry_v1 *stub_gnttab_entry(grant_ref_t ref);

/* Let domid at frame mfn: a free ref, or -ENOSPC. */
long stub_grant_access(domid_t domid, unsigned long mfn, bool readonly);
/* Take the grant back: 0, or -EBUSY while the grantee uses it. */
long stub_grant_end(grant_ref_t ref);

/* Map domid's ref at va: GNTST_okay and *handle, or a GNTST_* status. */
long stub_grant_map(domid_t domid, grant_ref_t ref, unsigned long va,
		    bool readonly, grant_handle_t *handle);
/* The same, with the address its devices reach the frame at in *bus. */
long stub_grant_map_bus(domid_t domid, grant_ref_t ref, unsigned long va,
			bool readonly, grant_handle_t *handle, uint64_t *bus);
long stub_grant_unmap(grant_handle_t handle, unsigned long va);
/* Run n copies; each op's status is in op->status. 0 or -errno. */
long stub_grant_copy(struct gnttab_copy *ops, unsigned int n);
long stub_gnttab_op(unsigned int cmd, void *arg, unsigned int count);

#endif
