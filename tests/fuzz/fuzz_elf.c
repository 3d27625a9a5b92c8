/*
 * The hypervisor's ELF loader (xen/common/elf.c) on any image: a kernel
 * a domain config names is the admin's, a domain building another
 * hands it in, and the hypervisor parses it. Whatever the bytes,
 * elf_parse() either refuses them with a reason or describes segments
 * that are sorted, disjoint, outside the hypervisor's hole and backed
 * by the image; elf_load() then reads only inside the image and writes
 * only inside those segments. The input may ask for a valid file header
 * to be filled in, so the program headers and notes behind it are
 * reached.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <xen/elf.h>
#include "fuzz.h"

static const uint8_t *image;
static size_t image_size;
static const struct elf_image *parsed;

static bool in_segment(uint64_t va, uint64_t len)
{
	for (unsigned int i = 0; i < parsed->nr_segments; i++) {
		const struct elf_segment *s = &parsed->seg[i];

		if (va >= s->vaddr && len <= s->memsz &&
		    va - s->vaddr <= s->memsz - len)
			return true;
	}
	return false;
}

static int load_copy(void *ctx, uint64_t va, const void *src, uint64_t len)
{
	const uint8_t *p = src;

	FUZZ_CHECK(len > 0 && in_segment(va, len));
	FUZZ_CHECK(p >= image && len <= image_size &&
		   (size_t)(p - image) <= image_size - len);
	return 0;
}

static int load_zero(void *ctx, uint64_t va, uint64_t len)
{
	FUZZ_CHECK(len > 0 && in_segment(va, len));
	return 0;
}

static void check_string(const char *s, size_t size)
{
	FUZZ_CHECK(memchr(s, 0, size) != NULL);
}

static void check_parsed(const struct elf_image *img)
{
	FUZZ_CHECK(img->nr_segments >= 1 &&
		   img->nr_segments <= ELF_SEGMENTS_MAX);
	for (unsigned int i = 0; i < img->nr_segments; i++) {
		const struct elf_segment *s = &img->seg[i];

		FUZZ_CHECK(s->memsz > 0 && s->filesz <= s->memsz);
		FUZZ_CHECK(s->vaddr + s->memsz > s->vaddr); /* no wrap */
		FUZZ_CHECK(s->offset <= image_size &&
			   s->filesz <= image_size - s->offset);
		FUZZ_CHECK(s->vaddr + s->memsz <= ELF_HV_HOLE_START ||
			   s->vaddr >= ELF_HV_HOLE_END);
		FUZZ_CHECK(s->vaddr >= img->virt_start &&
			   s->vaddr + s->memsz <= img->virt_end);
		if (i > 0)
			FUZZ_CHECK(img->seg[i - 1].vaddr +
				       img->seg[i - 1].memsz <=
				   s->vaddr);
	}
	check_string(img->guest_os, sizeof(img->guest_os));
	check_string(img->xen_version, sizeof(img->xen_version));
	check_string(img->loader, sizeof(img->loader));
	check_string(img->features, sizeof(img->features));
}

/* A valid header, program headers right behind it. */
static void header(uint8_t *buf, size_t len, uint16_t phnum)
{
	struct elf64_ehdr h = {
		.e_ident = { 0x7f, 'E', 'L', 'F', ELFCLASS64, ELFDATA2LSB,
			     EV_CURRENT },
		.e_type = ET_EXEC,
		.e_machine = EM_X86_64,
		.e_version = EV_CURRENT,
		.e_phoff = ELF_EHDR_SIZE,
		.e_ehsize = ELF_EHDR_SIZE,
		.e_phentsize = ELF_PHDR_SIZE,
		.e_phnum = phnum,
	};

	if (len >= sizeof(h)) {
		memcpy(&h.e_entry, buf + 24, 8); /* the input's entry */
		memcpy(buf, &h, sizeof(h));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	uint8_t f = fuzz_u8(&in);
	struct elf_image img;
	uint8_t *buf;
	size_t len = in.len;
	int rc;

	/* Exactly the image's bytes, at an odd address if asked. */
	buf = malloc(len + 1);
	FUZZ_CHECK(buf);
	fuzz_bytes(&in, buf + (f & 1), len);
	if (f & 2)
		header(buf + (f & 1), len, (uint16_t)(f >> 4));
	image = buf + (f & 1);
	image_size = len;
	rc = elf_parse(&img, image, image_size);
	if (rc) {
		FUZZ_CHECK(img.nr_segments == 0 && img.error[0]);
		check_string(img.error, sizeof(img.error));
		FUZZ_CHECK(elf_load(&img, load_copy, load_zero, NULL) != 0);
	} else {
		check_parsed(&img);
		parsed = &img;
		FUZZ_CHECK(elf_load(&img, load_copy, load_zero, NULL) == 0);
	}
	FUZZ_CHECK(!elf_contains(&img, 0x1000, 0));
	free(buf);
	return 0;
}
