# A JSON object of plain pairs written a yajl call a line:
#	yajl_gen_map_open(g);
#	jg_key_str(g, "id", id);	(or _int, _bool, _strv; one or more)
#	yajl_gen_map_close(g);
# which jg_object writes in one call. Prints file:line of the open.
function reset() { state = 0; n = 0 }
FNR == 1 { reset() }
{
	line = $0
	sub(/^[ \t]+/, "", line)
	if (match(line, /^yajl_gen_map_open\([A-Za-z_0-9]+\);$/)) {
		gen = substr(line, 19, length(line) - 20)
		state = 1; n = 0; at = FNR
		next
	}
	if (state == 1 && index(line, "jg_key_") == 1 && match(line, /^jg_key_(str|int|bool|strv)\(/) &&
	    index(line, "(" gen ", ") == RLENGTH && line ~ /\);$/) {
		n++
		next
	}
	if (state == 1 && n > 0 && line == "yajl_gen_map_close(" gen ");")
		print FILENAME ":" at ": an object of " n " plain pair(s), a call a line: jg_object (common/json_build.h) writes it in one"
	reset()
}
