/* s3/xml.h — the little XML that S3's responses need: finding an element's text and decoding it (the five
 * predefined entities, numeric character references, CDATA). Shared by s3/error.c and s3/list.c. Pure: no
 * allocation, no I/O. Not a general XML parser: S3 escapes '<' and '&' in every text it sends, so a raw
 * "<Tag>" in a response is always markup. */
#ifndef UR_S3_XML_H
#define UR_S3_XML_H

#include <stddef.h>

/* The text of the first <tag>…</tag> inside doc[0..n), with its length in *len; NULL when absent. An
 * empty element ("<tag/>") counts as present and empty. tag must be shorter than 24 bytes. */
const char *ur_xml_element(const char *doc, size_t n, const char *tag, size_t *len);

/* Decodes XML text s[0..n) into out: &amp; &lt; &gt; &quot; &apos;, &#N; and &#xH; (as UTF-8), CDATA
 * sections verbatim; anything else that starts with '&' is kept as it is. Always NUL-terminates (when cap
 * > 0). Returns the decoded length, or -ENOSPC when the text did not fit (out then holds what did). */
int ur_xml_decode(const char *s, size_t n, char *out, size_t cap);

#endif
