# Reads functions.awk's lines; prints each function that is neither a
# method handler nor an answerer (ok: " name name ... ") and calls a reply
# helper: a function that answers a call and is neither either. varlink/
# and api/ make the replies, and are left out. A callee is its own file's
# static when the file defines one of that name.
{
	file[NR] = $1; name[NR] = $2; rep[NR] = $5; calls[NR] = $7; st[NR] = $8
	if ($8 == 1) local_fn[$1 " " $2] = 1
}
function exempt(i) { return file[i] ~ /^supervisor\/(varlink|api)\// || index(ok, " " name[i] " ") }
END {
	for (i = 1; i <= NR; i++)
		if (rep[i] == 1 && !exempt(i)) {
			if (st[i]) helper[file[i] " " name[i]] = file[i]
			else helper[name[i]] = file[i]
		}
	for (i = 1; i <= NR; i++) {
		if (exempt(i)) continue
		n = split(calls[i], c, " ")
		for (k = 1; k <= n; k++) {
			if (c[k] == name[i]) continue
			key = ((file[i] " " c[k]) in local_fn) ? file[i] " " c[k] : c[k]
			if (key in helper)
				print file[i] ": " name[i] " answers a call through " c[k] " (" helper[key] ")"
		}
	}
}
