/*
 * PV kernel images: ELF64 x86-64 executables, checked before a domain is
 * built from them.
 *
 * The image is untrusted. Each header is copied out (the buffer may be
 * unaligned, and may change under us) and checked as a copy; every
 * offset and length is checked against the image's size without
 * overflowing; what is kept in struct elf_image is only checked copies,
 * so a later change to the bytes cannot send elf_load() outside them.
 * Anything malformed or ambiguous fails with a message.
 */
#include <xen/elf.h>
#include <xen/errno.h>
#include <xen/lib.h>
#include <xen/string.h>

#define ULL(x) ((unsigned long long)(x))

/* The state of one elf_parse() call. */
struct parse {
	struct elf_image *img;
	uint32_t notes_seen; /* bit n: Xen note type n already read */
};

static int elf_fail(struct elf_image *img, const char *fmt, ...) __printf(2, 3);

static int elf_fail(struct elf_image *img, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(img->error, sizeof(img->error), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Whether [off, off+len) lies inside the image. */
static bool in_file(const struct elf_image *img, uint64_t off, uint64_t len)
{
	return off <= img->size && len <= img->size - off;
}

/* Bits 63..47 all equal: the address is canonical with 48-bit VAs. */
static bool canonical(uint64_t va)
{
	uint64_t top = va >> 47;

	return top == 0 || top == 0x1ffff;
}

static uint64_t round_up(uint64_t v, uint64_t align)
{
	return (v + align - 1) & ~(align - 1);
}

static uint64_t get_le(const uint8_t *p, unsigned int n)
{
	uint64_t v = 0;

	while (n--)
		v = (v << 8) | p[n];
	return v;
}

static int check_header(struct elf_image *img, struct elf64_ehdr *eh)
{
	static const uint8_t magic[4] = { 0x7f, 'E', 'L', 'F' };

	if (img->size == 0)
		return elf_fail(img, "image is empty");
	if (img->size < sizeof(*eh))
		return elf_fail(img,
				"image is %zu bytes, too short for an ELF "
				"header",
				img->size);
	memcpy(eh, img->data, sizeof(*eh));
	if (memcmp(eh->e_ident, magic, sizeof(magic)))
		return elf_fail(img, "not an ELF image (bad magic)");
	if (eh->e_ident[EI_CLASS] != ELFCLASS64)
		return elf_fail(img, "ELF class %u, not ELFCLASS64",
				eh->e_ident[EI_CLASS]);
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return elf_fail(img, "ELF data encoding %u, not little-endian",
				eh->e_ident[EI_DATA]);
	if (eh->e_ident[EI_VERSION] != EV_CURRENT)
		return elf_fail(img, "ELF ident version %u, not EV_CURRENT",
				eh->e_ident[EI_VERSION]);
	if (eh->e_version != EV_CURRENT)
		return elf_fail(img, "ELF version %u, not EV_CURRENT",
				eh->e_version);
	if (eh->e_type != ET_EXEC)
		return elf_fail(img, "ELF type %u, not ET_EXEC", eh->e_type);
	if (eh->e_machine != EM_X86_64)
		return elf_fail(img, "machine %u, not x86-64 (%u)",
				eh->e_machine, EM_X86_64);
	if (eh->e_ehsize != ELF_EHDR_SIZE)
		return elf_fail(img, "ELF header size %u, not %u", eh->e_ehsize,
				ELF_EHDR_SIZE);
	if (eh->e_phentsize != ELF_PHDR_SIZE)
		return elf_fail(img, "program header size %u, not %u",
				eh->e_phentsize, ELF_PHDR_SIZE);
	if (eh->e_phnum == 0)
		return elf_fail(img, "no program headers");
	if (eh->e_phnum == PN_XNUM)
		return elf_fail(img, "extended program header count (PN_XNUM) "
				     "not supported");
	if (!in_file(img, eh->e_phoff, (uint64_t)eh->e_phnum * ELF_PHDR_SIZE))
		return elf_fail(img,
				"program header table at %#llx (%u entries) "
				"runs past the image's end (%#zx)",
				ULL(eh->e_phoff), eh->e_phnum, img->size);
	return 0;
}

/* Check a PT_LOAD program header (number i) and record it. */
static int add_segment(struct elf_image *img, unsigned int i,
		       const struct elf64_phdr *ph)
{
	uint64_t end, last;

	if (ph->p_filesz > ph->p_memsz)
		return elf_fail(img,
				"program header %u: filesz %#llx > memsz %#llx",
				i, ULL(ph->p_filesz), ULL(ph->p_memsz));
	if (!in_file(img, ph->p_offset, ph->p_filesz))
		return elf_fail(img,
				"program header %u: bytes %#llx+%#llx run past "
				"the image's end (%#zx)",
				i, ULL(ph->p_offset), ULL(ph->p_filesz),
				img->size);
	if (ph->p_memsz == 0)
		return 0; /* loads nothing: ignored */

	/* The page-rounded end must fit in 64 bits too. */
	end = ph->p_vaddr + ph->p_memsz;
	if (end < ph->p_vaddr || end > -(uint64_t)PAGE_SIZE)
		return elf_fail(img,
				"program header %u: %#llx+%#llx wraps around "
				"the address space",
				i, ULL(ph->p_vaddr), ULL(ph->p_memsz));
	last = end - 1;
	if (!canonical(ph->p_vaddr) || !canonical(last) ||
	    (ph->p_vaddr >> 47) != (last >> 47))
		return elf_fail(img,
				"program header %u: %#llx+%#llx is not "
				"canonical",
				i, ULL(ph->p_vaddr), ULL(ph->p_memsz));
	if (ph->p_vaddr < ELF_HV_HOLE_END && last >= ELF_HV_HOLE_START)
		return elf_fail(img,
				"program header %u: %#llx+%#llx overlaps Xen's "
				"reserved range",
				i, ULL(ph->p_vaddr), ULL(ph->p_memsz));
	if (img->nr_segments == ELF_SEGMENTS_MAX)
		return elf_fail(img, "more than %u loadable segments",
				ELF_SEGMENTS_MAX);
	img->seg[img->nr_segments++] = (struct elf_segment){
		.vaddr = ph->p_vaddr,
		.memsz = ph->p_memsz,
		.offset = ph->p_offset,
		.filesz = ph->p_filesz,
		.flags = ph->p_flags & (PF_R | PF_W | PF_X),
	};
	return 0;
}

static const char *note_name(uint32_t type)
{
	switch (type) {
	case XEN_ELFNOTE_ENTRY:
		return "ENTRY";
	case XEN_ELFNOTE_HYPERCALL_PAGE:
		return "HYPERCALL_PAGE";
	case XEN_ELFNOTE_VIRT_BASE:
		return "VIRT_BASE";
	case XEN_ELFNOTE_PADDR_OFFSET:
		return "PADDR_OFFSET";
	case XEN_ELFNOTE_XEN_VERSION:
		return "XEN_VERSION";
	case XEN_ELFNOTE_GUEST_OS:
		return "GUEST_OS";
	case XEN_ELFNOTE_LOADER:
		return "LOADER";
	case XEN_ELFNOTE_FEATURES:
		return "FEATURES";
	case XEN_ELFNOTE_PHYS32_ENTRY:
		return "PHYS32_ENTRY";
	}
	return NULL;
}

/* A numeric note: 4 or 8 bytes, little-endian. */
static int note_number(struct elf_image *img, const struct elf_note *n,
		       const uint8_t *desc, uint64_t *val, bool *has)
{
	if (n->descsz != 4 && n->descsz != 8)
		return elf_fail(img, "Xen note %s has %u bytes, not 4 or 8",
				note_name(n->type), n->descsz);
	*val = get_le(desc, n->descsz);
	*has = true;
	return 0;
}

/* A string note: NUL-terminated within desc; truncated to fit buf. */
static int note_string(struct elf_image *img, const struct elf_note *n,
		       const uint8_t *desc, char *buf, size_t size)
{
	size_t len = 0;

	while (len < n->descsz && desc[len] != '\0')
		len++;
	if (len == n->descsz)
		return elf_fail(img, "Xen note %s is not NUL-terminated",
				note_name(n->type));
	if (len > size - 1)
		len = size - 1;
	memcpy(buf, desc, len);
	buf[len] = '\0';
	return 0;
}

/* One note named "Xen"; desc holds n->descsz bytes inside the image. */
static int xen_note(struct parse *ps, const struct elf_note *n,
		    const uint8_t *desc)
{
	struct elf_image *img = ps->img;
	int rc;

	img->has_xen_notes = true;
	if (!note_name(n->type))
		return 0; /* a type we do not use */
	if (ps->notes_seen & (1u << n->type))
		return elf_fail(img, "Xen note %s appears twice",
				note_name(n->type));
	ps->notes_seen |= 1u << n->type;

	switch (n->type) {
	case XEN_ELFNOTE_ENTRY:
		return note_number(img, n, desc, &img->note_entry,
				   &img->has_entry);
	case XEN_ELFNOTE_HYPERCALL_PAGE:
		return note_number(img, n, desc, &img->note_hypercall_page,
				   &img->has_hypercall_page);
	case XEN_ELFNOTE_VIRT_BASE:
		return note_number(img, n, desc, &img->note_virt_base,
				   &img->has_virt_base);
	case XEN_ELFNOTE_PADDR_OFFSET:
		return note_number(img, n, desc, &img->note_paddr_offset,
				   &img->has_paddr_offset);
	case XEN_ELFNOTE_PHYS32_ENTRY:
		rc = note_number(img, n, desc, &img->phys32_entry,
				 &img->has_phys32_entry);
		if (rc == 0 && img->phys32_entry > 0xffffffffull)
			return elf_fail(img,
					"Xen note PHYS32_ENTRY %#llx is not "
					"a 32-bit address",
					ULL(img->phys32_entry));
		return rc;
	case XEN_ELFNOTE_XEN_VERSION:
		return note_string(img, n, desc, img->xen_version,
				   sizeof(img->xen_version));
	case XEN_ELFNOTE_GUEST_OS:
		return note_string(img, n, desc, img->guest_os,
				   sizeof(img->guest_os));
	case XEN_ELFNOTE_LOADER:
		return note_string(img, n, desc, img->loader,
				   sizeof(img->loader));
	case XEN_ELFNOTE_FEATURES:
		return note_string(img, n, desc, img->features,
				   sizeof(img->features));
	}
	return 0;
}

/*
 * Walk a PT_NOTE segment: notes of a 12-byte header, the name and the
 * descriptor, each padded to 4 bytes (8 when the segment is 8-aligned,
 * as GNU property notes are). The last note's final padding may be
 * missing; anything else running past the segment is an error.
 */
static int walk_notes(struct parse *ps, unsigned int i,
		      const struct elf64_phdr *ph)
{
	struct elf_image *img = ps->img;
	uint64_t align = ph->p_align == 8 ? 8 : 4;
	uint64_t off = ph->p_offset, left = ph->p_filesz;

	if (!in_file(img, ph->p_offset, ph->p_filesz))
		return elf_fail(img,
				"program header %u: notes %#llx+%#llx run past "
				"the image's end (%#zx)",
				i, ULL(ph->p_offset), ULL(ph->p_filesz),
				img->size);
	while (left > 0) {
		const uint8_t *p = img->data + off;
		struct elf_note n;
		uint64_t name_room, desc_at, next;
		int rc;

		if (left < sizeof(n))
			return elf_fail(img, "note at %#llx: header truncated",
					ULL(off));
		memcpy(&n, p, sizeof(n));
		name_room = round_up(n.namesz, align);
		if (name_room > left - sizeof(n))
			return elf_fail(img,
					"note at %#llx: name of %u bytes runs "
					"past its segment",
					ULL(off), n.namesz);
		desc_at = sizeof(n) + name_room;
		if (n.descsz > left - desc_at)
			return elf_fail(img,
					"note at %#llx: descriptor of %u bytes "
					"runs past its segment",
					ULL(off), n.descsz);
		if (n.namesz == 4 && memcmp(p + sizeof(n), "Xen", 4) == 0) {
			rc = xen_note(ps, &n, p + desc_at);
			if (rc)
				return rc;
		}
		next = desc_at + round_up(n.descsz, align);
		if (next >= left)
			break;
		off += next;
		left -= next;
	}
	return 0;
}

/* Sort by vaddr (few segments: insertion sort) and refuse overlaps. */
static int sort_segments(struct elf_image *img)
{
	for (unsigned int i = 1; i < img->nr_segments; i++) {
		struct elf_segment s = img->seg[i];
		unsigned int j = i;

		for (; j > 0 && img->seg[j - 1].vaddr > s.vaddr; j--)
			img->seg[j] = img->seg[j - 1];
		img->seg[j] = s;
	}
	for (unsigned int i = 1; i < img->nr_segments; i++) {
		const struct elf_segment *a = &img->seg[i - 1];
		const struct elf_segment *b = &img->seg[i];

		if (b->vaddr - a->vaddr < a->memsz)
			return elf_fail(img,
					"segments %#llx+%#llx and %#llx+%#llx "
					"overlap",
					ULL(a->vaddr), ULL(a->memsz),
					ULL(b->vaddr), ULL(b->memsz));
	}
	return 0;
}

/* The loaded segment holding va, or NULL. */
static const struct elf_segment *find_segment(const struct elf_image *img,
					      uint64_t va)
{
	for (unsigned int i = 0; i < img->nr_segments; i++) {
		const struct elf_segment *s = &img->seg[i];

		if (va >= s->vaddr && va - s->vaddr < s->memsz)
			return s;
	}
	return NULL;
}

bool elf_contains(const struct elf_image *img, uint64_t va, uint64_t len)
{
	const struct elf_segment *s;

	if (len == 0 || img->nr_segments > ELF_SEGMENTS_MAX)
		return false;
	s = find_segment(img, va);
	return s && len <= s->memsz - (va - s->vaddr);
}

static int check_addresses(struct elf_image *img, uint64_t e_entry)
{
	const struct elf_segment *s;
	const char *from = img->has_entry ? "ENTRY note" : "e_entry";
	uint64_t hp = img->note_hypercall_page;

	img->entry = img->has_entry ? img->note_entry : e_entry;
	s = find_segment(img, img->entry);
	if (!s)
		return elf_fail(img,
				"entry %#llx (%s) is not in a loaded "
				"segment",
				ULL(img->entry), from);
	if (!(s->flags & PF_X))
		return elf_fail(img,
				"entry %#llx (%s) is in a segment "
				"without PF_X",
				ULL(img->entry), from);
	if (img->has_hypercall_page) {
		if (hp & (PAGE_SIZE - 1))
			return elf_fail(img,
					"hypercall page %#llx is not "
					"page-aligned",
					ULL(hp));
		if (!elf_contains(img, hp, PAGE_SIZE))
			return elf_fail(img,
					"hypercall page %#llx is not inside "
					"a loaded segment",
					ULL(hp));
	}
	return 0;
}

static int parse(struct elf_image *img)
{
	struct parse ps = { .img = img };
	struct elf64_ehdr eh;
	const struct elf_segment *last;
	int rc;

	rc = check_header(img, &eh);
	if (rc)
		return rc;
	for (unsigned int i = 0; i < eh.e_phnum; i++) {
		struct elf64_phdr ph;

		memcpy(&ph, img->data + eh.e_phoff + (uint64_t)i * sizeof(ph),
		       sizeof(ph));
		rc = 0;
		if (ph.p_type == PT_LOAD)
			rc = add_segment(img, i, &ph);
		else if (ph.p_type == PT_NOTE)
			rc = walk_notes(&ps, i, &ph);
		if (rc)
			return rc;
	}
	if (img->nr_segments == 0)
		return elf_fail(img, "no loadable segment");
	rc = sort_segments(img);
	if (rc)
		return rc;
	last = &img->seg[img->nr_segments - 1];
	img->virt_start = img->seg[0].vaddr & ~(uint64_t)(PAGE_SIZE - 1);
	img->virt_end = round_up(last->vaddr + last->memsz, PAGE_SIZE);
	return check_addresses(img, eh.e_entry);
}

int elf_parse(struct elf_image *img, const void *data, size_t size)
{
	int rc;

	memset(img, 0, sizeof(*img));
	img->data = data;
	img->size = size;
	rc = parse(img);
	if (rc) {
		char error[sizeof(img->error)];

		/* Keep only the message: nothing half-checked survives. */
		memcpy(error, img->error, sizeof(error));
		memset(img, 0, sizeof(*img));
		memcpy(img->error, error, sizeof(error));
	}
	return rc;
}

int elf_load(const struct elf_image *img,
	     int (*copy)(void *ctx, uint64_t va, const void *src, uint64_t len),
	     int (*zero)(void *ctx, uint64_t va, uint64_t len), void *ctx)
{
	if (!img->data || img->nr_segments == 0 ||
	    img->nr_segments > ELF_SEGMENTS_MAX)
		return -EINVAL;
	for (unsigned int i = 0; i < img->nr_segments; i++) {
		const struct elf_segment *s = &img->seg[i];
		int rc;

		/* elf_parse() checked these; a corrupted img must not leak. */
		if (!in_file(img, s->offset, s->filesz) || s->filesz > s->memsz)
			return -EINVAL;
		if (s->filesz) {
			rc = copy(ctx, s->vaddr, img->data + s->offset,
				  s->filesz);
			if (rc)
				return rc;
		}
		if (s->memsz > s->filesz) {
			rc = zero(ctx, s->vaddr + s->filesz,
				  s->memsz - s->filesz);
			if (rc)
				return rc;
		}
	}
	return 0;
}
