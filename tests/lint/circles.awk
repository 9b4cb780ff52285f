# Finds the circles of calls between the files of one folder: reads
# "def SYMBOL FILE" and "use SYMBOL FILE" lines (from nm), draws an arrow
# A -> B where A uses what B defines and both are in one folder, and prints
# each strongly connected set of two files or more (Tarjan's algorithm) as
#   N<TAB>FILE FILE ...<TAB>A -> B (sym, sym); ...
function folder(f) { sub(/\/[^\/]*$/, "", f); return f }
function visit(v,    i, w, set, n, members, k) {
	index_of[v] = low[v] = ++counter
	stack[++top] = v
	on_stack[v] = 1
	for (i = 1; i <= n_out[v]; i++) {
		w = out[v, i]
		if (!(w in index_of)) {
			visit(w)
			if (low[w] < low[v]) low[v] = low[w]
		} else if (on_stack[w] && index_of[w] < low[v])
			low[v] = index_of[w]
	}
	if (low[v] != index_of[v]) return
	n = 0
	do {
		w = stack[top--]
		on_stack[w] = 0
		members[++n] = w
	} while (w != v)
	if (n < 2) return
	set = ""
	for (k = 1; k <= n; k++) {
		set = set (k > 1 ? " " : "") members[k]
		in_set[members[k]] = v
	}
	ties = ""
	for (k = 1; k <= n; k++)
		for (i = 1; i <= n_out[members[k]]; i++) {
			w = out[members[k], i]
			if (in_set[w] == v)
				ties = ties (ties == "" ? "" : "; ") members[k] " -> " w " (" why[members[k], w] ")"
		}
	printf "%d\t%s\t%s\n", n, set, ties
}
$1 == "def" { def[$2] = $3; next }
$1 == "use" { use[++n_use] = $2 " " $3 }
END {
	for (i = 1; i <= n_use; i++) {
		split(use[i], u, " ")
		if (!(u[1] in def)) continue
		a = u[2]; b = def[u[1]]
		if (a == b || folder(a) != folder(b)) continue
		if (!((a, b) in why)) {
			out[a, ++n_out[a]] = b
			why[a, b] = u[1]
			node[a]; node[b]
		} else if (length(why[a, b]) < 60)
			why[a, b] = why[a, b] ", " u[1]
	}
	for (v in node)
		if (!(v in index_of)) visit(v)
}
