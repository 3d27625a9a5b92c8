/*
 * ELF64 kernel images for PV guests: check an untrusted x86-64 executable
 * and its Xen ELF notes, then copy its loadable segments into a domain.
 *
 * Layouts are the System V ABI's (gABI, and the x86-64 psABI for
 * EM_X86_64); the note numbers are those of Xen's public elfnote.h.
 */
#ifndef XEN_ELF_H
#define XEN_ELF_H

#include <xen/types.h>

/* e_ident[] */
#define EI_CLASS      4
#define EI_DATA	      5
#define EI_VERSION    6
#define EI_NIDENT     16
#define ELFCLASS64    2
#define ELFDATA2LSB   1
#define EV_CURRENT    1
#define ET_EXEC	      2
#define EM_X86_64     62
#define PN_XNUM	      0xffff /* e_phnum: real count elsewhere (rejected) */
#define PT_LOAD	      1
#define PT_NOTE	      4
#define PF_X	      (1u << 0)
#define PF_W	      (1u << 1)
#define PF_R	      (1u << 2)
#define ELF_EHDR_SIZE 64
#define ELF_PHDR_SIZE 56

/* The ELF64 file header, as stored (little-endian). */
struct elf64_ehdr {
	uint8_t e_ident[EI_NIDENT];
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint64_t e_entry;
	uint64_t e_phoff;
	uint64_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
};
_Static_assert(sizeof(struct elf64_ehdr) == ELF_EHDR_SIZE, "elf64_ehdr");

/* An ELF64 program header. */
struct elf64_phdr {
	uint32_t p_type;
	uint32_t p_flags;
	uint64_t p_offset;
	uint64_t p_vaddr;
	uint64_t p_paddr;
	uint64_t p_filesz;
	uint64_t p_memsz;
	uint64_t p_align;
};
_Static_assert(sizeof(struct elf64_phdr) == ELF_PHDR_SIZE, "elf64_phdr");

/* A note's header; the name, then the descriptor, follow, each padded. */
struct elf_note {
	uint32_t namesz; /* including the name's NUL */
	uint32_t descsz;
	uint32_t type;
};

/* Xen's note types (name "Xen"); the others are ignored. */
#define XEN_ELFNOTE_ENTRY	   1  /* number: entry virtual address */
#define XEN_ELFNOTE_HYPERCALL_PAGE 2  /* number: hypercall page's va */
#define XEN_ELFNOTE_VIRT_BASE	   3  /* number */
#define XEN_ELFNOTE_PADDR_OFFSET   4  /* number */
#define XEN_ELFNOTE_XEN_VERSION	   5  /* string */
#define XEN_ELFNOTE_GUEST_OS	   6  /* string */
#define XEN_ELFNOTE_LOADER	   8  /* string */
#define XEN_ELFNOTE_FEATURES	   10 /* string */
#define XEN_ELFNOTE_PHYS32_ENTRY   18 /* number below 4 GiB (PVH entry) */

#define ELF_SEGMENTS_MAX 16

/* Xen's own part of the address space, which no PV guest may map. */
#define ELF_HV_HOLE_START 0xffff800000000000ull
#define ELF_HV_HOLE_END	  0xffff880000000000ull /* exclusive */

/* A PT_LOAD segment: file [offset, offset+filesz) to va [vaddr, +memsz). */
struct elf_segment {
	uint64_t vaddr, memsz;
	uint64_t offset, filesz;
	uint32_t flags; /* PF_R, PF_W, PF_X; other bits dropped */
};

/*
 * What elf_parse() found. Everything here is a checked copy: nothing is
 * read from the image again except the segments' bytes by elf_load().
 */
struct elf_image {
	const uint8_t *data;
	size_t size;
	uint64_t entry; /* the ENTRY note if present, else e_entry */

	/* PT_LOAD segments with memsz > 0, sorted by vaddr, disjoint. */
	unsigned int nr_segments;
	struct elf_segment seg[ELF_SEGMENTS_MAX];
	uint64_t virt_start; /* lowest vaddr, rounded down to a page */
	uint64_t virt_end;   /* highest vaddr+memsz, rounded up to a page */

	/* Xen notes: each value 0 / "" when its note is absent. */
	bool has_xen_notes; /* any note named "Xen", known type or not */
	uint64_t note_entry, note_hypercall_page;
	uint64_t note_virt_base, note_paddr_offset;
	bool has_entry, has_hypercall_page, has_virt_base, has_paddr_offset;
	char guest_os[32], xen_version[16], loader[16], features[128];
	uint64_t phys32_entry;
	bool has_phys32_entry;

	char error[128]; /* why elf_parse() failed */
};

/*
 * Check and describe the image at data (any alignment). Returns 0, or
 * -EINVAL with img->error saying what is wrong and the rest of *img
 * cleared (no segments).
 */
int elf_parse(struct elf_image *img, const void *data, size_t size);

/*
 * Copy a parsed image into a domain, segment by segment in vaddr order:
 * copy(ctx, vaddr, bytes, filesz), then zero(ctx, vaddr + filesz,
 * memsz - filesz); calls with a length of 0 are skipped. A callback
 * returns 0 or a negative errno, which stops the load and is returned.
 * -EINVAL if img holds no segments (elf_parse() failed).
 */
int elf_load(const struct elf_image *img,
	     int (*copy)(void *ctx, uint64_t va, const void *src, uint64_t len),
	     int (*zero)(void *ctx, uint64_t va, uint64_t len), void *ctx);

/*
 * Whether [va, va+len) lies inside one loaded segment's [vaddr,
 * vaddr+memsz). An empty or wrapping range is never inside.
 */
bool elf_contains(const struct elf_image *img, uint64_t va, uint64_t len);

#endif
