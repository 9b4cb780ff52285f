# Lists the functions a C file defines, one a line, tab-separated:
#   file, name, takes a vl_call (0/1), takes a yajl_val (0/1), answers a call (0/1),
#   answers it itself, with vl_call_reply* or vl_call_error (0/1),
#   the names it calls (space-separated), static (0/1)
# "Answers" is a call of anything that ends or streams a varlink call:
# vl_call_reply*, vl_call_error, vl_call_notify, vl_call_invalid_parameter
# and the sv_* error replies. It reads the project's style: a definition
# starts at the line's start, and its body's braces stand alone in column 0.
function balanced(s) { return gsub(/\(/, "(", s) <= gsub(/\)/, ")", s) }
function begin_body() {
	n = sig
	sub(/\(.*/, "", n)
	sub(/.*[ *]/, "", n)
	name = n
	replies = 0
	direct = 0
	calls = " "
	state = 3
}
FNR == 1 { state = 0 }
state == 0 && /^[A-Za-z_][A-Za-z0-9_ *]*[ *][A-Za-z_][A-Za-z0-9_]*\(/ && !/^typedef/ && !/;[ \t]*$/ {
	sig = $0
	state = 1
}
state == 1 {
	if (sig != $0)
		sig = sig " " $0
	if (!balanced(sig))
		next
	if (sig ~ /\)[ \t]*\{[ \t]*$/)
		begin_body()
	else
		state = 2
	next
}
state == 2 {
	if ($0 == "{")
		begin_body()
	else
		state = 0
	next
}
state == 3 {
	if ($0 ~ /vl_call_(reply|reply_gen|error|notify|invalid_parameter)\(/ ||
	    $0 ~ /(^|[^A-Za-z0-9_])sv_(invalid|internal|no_such|name_in_use|permission_denied|policy_violation|[a-z]+_exists|reply_fault)[a-z_]*\(/)
		replies = 1
	if ($0 ~ /vl_call_(reply|reply_gen|error)\(/)
		direct = 1
	rest = $0
	while (match(rest, /[A-Za-z_][A-Za-z0-9_]*\(/)) {
		callee = substr(rest, RSTART, RLENGTH - 1)
		if (index(calls, " " callee " ") == 0)
			calls = calls callee " "
		rest = substr(rest, RSTART + RLENGTH)
	}
	if ($0 == "}") {
		printf "%s\t%s\t%d\t%d\t%d\t%d\t%s\t%d\n", FILENAME, name, sig ~ /vl_call \*/, sig ~ /yajl_val/, replies, direct, calls, sig ~ /^static /
		state = 0
	}
}
