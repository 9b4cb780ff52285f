# Prints the functions that vl_method tables name: the method handlers.
/vl_method [A-Za-z_0-9]+\[\] = \{/ { table = 1; text = "" }
table { text = text " " $0 }
table && /\};/ {
	while (match(text, /\{ *"[A-Za-z]+", *[A-Za-z_][A-Za-z_0-9]* *\}/)) {
		pair = substr(text, RSTART, RLENGTH)
		text = substr(text, RSTART + RLENGTH)
		sub(/.*, */, "", pair)
		sub(/ *\}/, "", pair)
		print pair
	}
	table = 0
}
# ... and those a table names through the store's gate (service.c)
/^STORE_GATED\([A-Za-z_0-9]+\)$/ {
	name = $0
	sub(/^STORE_GATED\(/, "", name)
	sub(/\)$/, "", name)
	print name
}
