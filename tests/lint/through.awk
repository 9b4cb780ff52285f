# Reads functions.awk's lines; prints each function of a file that is no
# method file (ok: " file file ... ") and calls a function that answers a
# call. varlink/ and api/ make the replies, and are left out. A callee is
# its own file's static when the file defines one of that name, and else
# the function of that name in the caller's binary (supervisor/ROOM).
{
	file[NR] = $1; name[NR] = $2; rep[NR] = $5; calls[NR] = $7; st[NR] = $8
	if ($8 == 1) local_fn[$1 " " $2] = 1
}
function binary(f) { split(f, p, "/"); return p[1] "/" p[2] }
function exempt(i) { return file[i] ~ /^supervisor\/(varlink|api)\// || index(ok, " " file[i] " ") }
END {
	for (i = 1; i <= NR; i++)
		if (rep[i] == 1 && file[i] !~ /^supervisor\/(varlink|api)\//) {
			if (st[i]) helper[file[i] " " name[i]] = file[i]
			else helper[binary(file[i]) " " name[i]] = file[i]
		}
	for (i = 1; i <= NR; i++) {
		if (exempt(i)) continue
		n = split(calls[i], c, " ")
		for (k = 1; k <= n; k++) {
			if (c[k] == name[i]) continue
			key = ((file[i] " " c[k]) in local_fn) ? file[i] " " c[k] : binary(file[i]) " " c[k]
			if (key in helper)
				print file[i] ": " name[i] " answers a call through " c[k] " (" helper[key] ")"
		}
	}
}
