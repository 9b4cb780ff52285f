# Registries for the pull tests (sourced after lib.sh; supervisor_lib.sh and
# network_lib.sh are optional). Everything listens on 127.0.0.1 in the
# test's network namespace, $T/netns (made here as start_sv_netns makes it,
# so that a corrald started later with start_sv_netns joins it, and joined
# if start_sv_netns made it first); clients run in it: reg_curl, or
# `nsenter --net="$T/netns" ...` (network_lib.sh's inns).
#
# Functions (in the test's own shell, not in a subshell or $(...), since
# they set variables and the servers are its children):
#   reg_setup            first: $T/reg with a test CA, a server cert (IP
#                        127.0.0.1, DNS localhost), htpasswd, token and cosign
#                        keys; the netns; reg_cleanup put in the EXIT trap
#   reg_start NAME MODE  docker-registry, MODE plain (http), tls, basic
#                        (https + htpasswd) or token (https + token server);
#                        sets REG_<NAME>=127.0.0.1:PORT and prints it. NAME:
#                        letters, digits, _ (not "token"). After reg_stop
#                        NAME, it comes back on the same port with its data
#   reg_start_hostile NAME [tls]
#                        registry_hostile.py over the busybox fixture (oci/,
#                        tags test, user, entry; latest = test); the last
#                        component of the repository name picks the
#                        misbehaviour (see that file's header), e.g.
#                        $REG_<NAME>/wrongdigest:latest. Restarting it
#                        (reg_stop, reg_start_hostile) resets flaky and range
#   reg_stop NAME        kills that registry (TERM, then KILL after 2 s)
#   reg_push HOSTPORT SRC REPO:TAG [skopeo copy options]
#                        skopeo copy SRC (e.g. oci:DIR:TAG) to a registry of
#                        reg_start, with the test CA and, if it needs them,
#                        alice's credentials
#   reg_push_fixtures HOSTPORT
#                        library/busybox:1 (OCI, the fixture's oci:test),
#                        multi:1 (OCI index: linux/amd64 is busybox and a
#                        layer with /platform = "amd64", linux/arm64 one layer
#                        with /platform = "arm64"), docker2:1 (Docker schema
#                        2), shared-a:1 and shared-b:1 (busybox's first layer,
#                        then /which = "a" or "b"), and a cosign signature of
#                        library/busybox:1 at tag sha256-<hex>.sig; sets the
#                        REG_DIGEST_* below
#   reg_curl URL [curl options]
#                        curl -s in the netns, with the test CA, 10 s at most
#   reg_log_mark NAME    from now on, reg_gets counts only newer requests
#   reg_gets NAME TEXT   how many GETs (since reg_log_mark) had TEXT in their
#                        path, in NAME's log; a HEAD is not one
#   reg_cleanup          kills every registry and server; unmounts the netns
#                        if reg_setup made it (cleanup_sv does if corrald
#                        ran); idempotent. The EXIT trap runs it: reg_setup
#                        and each reg_start put it in front of the trap the
#                        test had set (so set yours before them, or put
#                        reg_cleanup in it). Servers are also started with
#                        PR_SET_PDEATHSIG, so they die with the test's shell
#
# Variables:
#   REG_<NAME>           127.0.0.1:PORT of each registry
#   REG_<NAME>_PLAIN     a hostile tls one's plain http port (redirect-http)
#   REG_MODE_<NAME>      its mode: plain, tls, basic, token or hostile
#   REG_LOG_<NAME>       its log, $T/reg/NAME.log. docker-registry's has its
#                        access log ("combined": "GET /v2/... HTTP/1.1" 200)
#                        among its own lines; the hostile one has a line per
#                        request: "GET /v2/... range=RANGE|- scheme=http|https"
#   REG_DIR              $T/reg: ca.crt ca.key server.crt server.key htpasswd
#                        token.crt token.key cosign.key cosign.pub, and
#                        NAME/config.yml, NAME/data/ for each registry
#   REG_CA               $T/reg/ca.crt, the CA of every server's certificate
#   REG_CERTS            $T/reg/certs: ca.crt alone (skopeo's --*-cert-dir)
#   REG_CERTS_D          $T/reg/certs.d with 127.0.0.1:PORT/ca.crt for each
#                        registry, as /etc/containers/certs.d has them
#   REG_AUTH_FILE        $T/reg/auth.json, containers-auth.json(5) with
#                        alice's credentials for each basic or token registry
#   REG_USER, REG_PASS   alice, wonderland (htpasswd: bcrypt)
#   REG_COSIGN_KEY       $T/reg/cosign.key (EC P-256, PKCS#8 PEM, unencrypted)
#   REG_COSIGN_PUB       $T/reg/cosign.pub (PEM SubjectPublicKeyInfo, as a
#                        cosign.pub is)
#   REG_TOKEN            127.0.0.1:PORT of the token server, over https, one
#                        for every token registry; realm https://$REG_TOKEN/token,
#                        service $REG_SERVICE, issuer $REG_ISSUER. alice gets
#                        every action she asks for; anonymous gets a token
#                        with no access (but pull on public/*); a wrong
#                        password gets 401
#   REG_TOKEN_LOG        $T/reg/token.log, a line per token request:
#                        "GET 200 user=alice service=corral-registry scope=repository:R:pull"
#   REG_SERVICE, REG_ISSUER   corral-registry, corral-token-issuer
#   REG_PY               /usr/bin/python3, which the servers run under
#   after reg_push_fixtures HOSTPORT (of the last one, if it ran for more):
#   REG_DIGEST_busybox   library/busybox:1's manifest digest (sha256:...)
#   REG_DIGEST_multi     multi:1's index; REG_DIGEST_multi_amd64 and
#                        REG_DIGEST_multi_arm64 its two manifests
#   REG_DIGEST_docker2   docker2:1's manifest
#   REG_DIGEST_shared_a, REG_DIGEST_shared_b   their manifests
#   REG_BLOB_shared      the layer both share (busybox's first)
#   REG_SIG_TAG          sha256-<hex of REG_DIGEST_busybox>.sig
#   REG_DIGEST_sig       the signature's manifest
#   REG_SIG_PAYLOAD      $T/reg/sig/payload.json, the simple-signing payload
#                        (docker-reference HOSTPORT/library/busybox)
#   REG_SIG_B64          its annotation dev.cosignproject.cosign/signature:
#                        base64 of the DER ECDSA P-256 SHA-256 signature
REG_PY=/usr/bin/python3
REG_FIX="$ROOTDIR/tests/fixtures"
REG_USER=alice
REG_PASS=wonderland

# the token server's service and issuer, as the registries' config says them
REG_SERVICE=corral-registry
REG_ISSUER=corral-token-issuer

reg_setup() {
	[ "${REG_DIR:-}" = "$T/reg" ] && return 0
	REG_DIR="$T/reg"
	_REG_SHELL=$BASHPID
	mkdir -p "$REG_DIR/certs" "$REG_DIR/certs.d" "$REG_DIR/modes" "$REG_DIR/run"
	_reg_trap
	if [ ! -e "$T/netns" ]; then
		: >"$T/netns"
		unshare --net="$T/netns" true
		nsenter --net="$T/netns" ip link set lo up
		_REG_OWN_NETNS=1
	fi
	local d=$REG_DIR
	local ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
	openssl req -x509 "${ec[@]}" -keyout "$d/ca.key" -out "$d/ca.crt" -days 2 \
		-subj "/CN=corral test CA" 2>/dev/null
	openssl req -new "${ec[@]}" -keyout "$d/server.key" -out "$d/server.csr" \
		-subj "/CN=localhost" 2>/dev/null
	cat >"$d/server.ext" <<-EXT
	basicConstraints=critical,CA:FALSE
	keyUsage=critical,digitalSignature,keyEncipherment
	extendedKeyUsage=serverAuth
	subjectAltName=IP:127.0.0.1,DNS:localhost
	EXT
	openssl x509 -req -in "$d/server.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -set_serial "0x$(openssl rand -hex 8)" \
		-days 2 -extfile "$d/server.ext" -out "$d/server.crt" 2>/dev/null
	# the token server signs with this key; the registries trust its
	# certificate (auth.token.rootcertbundle), which each token carries in x5c
	openssl req -x509 "${ec[@]}" -keyout "$d/token.key" -out "$d/token.crt" -days 2 \
		-subj "/CN=corral test token signer" 2>/dev/null
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$d/cosign.key" 2>/dev/null
	openssl pkey -in "$d/cosign.key" -pubout -out "$d/cosign.pub"
	htpasswd -Bbn "$REG_USER" "$REG_PASS" >"$d/htpasswd" 2>/dev/null
	cp "$d/ca.crt" "$d/certs/ca.crt"
	echo '{"auths":{}}' >"$d/auth.json"
	: >"$d/token.log"
	REG_CA="$d/ca.crt" REG_CERTS="$d/certs" REG_CERTS_D="$d/certs.d" REG_AUTH_FILE="$d/auth.json"
	REG_COSIGN_KEY="$d/cosign.key" REG_COSIGN_PUB="$d/cosign.pub" REG_TOKEN_LOG="$d/token.log"
	export REG_DIR REG_CA REG_CERTS REG_CERTS_D REG_AUTH_FILE REG_COSIGN_KEY REG_COSIGN_PUB \
		REG_TOKEN_LOG REG_USER REG_PASS
	[ -s "$d/server.crt" ] && [ -s "$d/token.crt" ] && [ -s "$d/cosign.pub" ] && [ -s "$d/htpasswd" ] ||
		fail "reg_setup: openssl or htpasswd failed"
}

# reg_cleanup in front of the EXIT trap, once
_reg_trap() {
	local old words
	old=$(trap -p EXIT)
	case "$old" in *reg_cleanup*) return 0 ;; esac
	eval "words=($old)" # trap -- 'COMMAND' EXIT
	# shellcheck disable=SC2064 # the command the test had, now
	trap "reg_cleanup; ${words[2]:-}" EXIT
}

# what keeps REG_* and the servers' parent must be the test's shell
_reg_here() {
	if [ "${REG_DIR:-}" != "$T/reg" ]; then
		fail "$1: call reg_setup first"
	elif [ "${_REG_SHELL:-}" != "$BASHPID" ]; then
		fail "$1: call it in the test's shell, not in a subshell or \$(...)"
	fi
}

# _reg_kill PID: TERM, 2 s, KILL; reaped
_reg_kill() {
	kill -TERM "$1" 2>/dev/null || return 0
	local i
	for i in $(seq 40); do
		[ -e "/proc/$1" ] && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ] || break
		sleep 0.05
	done
	kill -KILL "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

reg_stop() { # NAME
	local f="$REG_DIR/run/$1.pid"
	[ -f "$f" ] || { fail "reg_stop: no registry $1 runs"; return 1; }
	_reg_kill "$(cat "$f")"
	rm -f "$f"
}

reg_cleanup() {
	local -
	set +e
	[ -n "${REG_DIR:-}" ] || return 0
	local f
	for f in "$REG_DIR"/run/*.pid; do
		[ -f "$f" ] && kill -TERM "$(cat "$f")" 2>/dev/null
	done
	for f in "$REG_DIR"/run/*.pid; do
		[ -f "$f" ] && _reg_kill "$(cat "$f")"
		rm -f "$f"
	done
	# the netns goes with the test, unless corrald's cleanup_sv unmounts it
	# after stopping corrald, which lives in it
	if [ -n "${_REG_OWN_NETNS:-}" ] && ! [ -s "$T/.daemons" ]; then
		umount "$T/netns" 2>/dev/null && rm -f "$T/netns"
	fi
	return 0
}

# a free port on 127.0.0.1 in the netns (nothing else binds there but us)
_reg_free_port() {
	nsenter --net="$T/netns" "$REG_PY" -c \
		'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# _reg_bg NAME LOG COMMAND...: in the netns, its pid in run/NAME.pid; the
# kernel kills it with the test's shell if nothing did before
_reg_bg() {
	local name=$1 log=$2
	shift 2
	nsenter --net="$T/netns" setpriv --pdeathsig KILL "$@" >>"$log" 2>&1 &
	_REG_PID=$!
	echo "$_REG_PID" >"$REG_DIR/run/$name.pid"
}

# _reg_wait_file FILE WHAT: until a server wrote its port file
_reg_wait_file() {
	local i
	for i in $(seq 200); do
		[ -s "$1" ] && return 0
		kill -0 "$_REG_PID" 2>/dev/null || break
		sleep 0.05
	done
	fail "$2 did not start"
}

reg_curl() { nsenter --net="$T/netns" curl -s --max-time 10 --cacert "$REG_CA" "$@"; }

# _reg_wait_up URL WHAT: until it answers (200, or 401 for auth)
_reg_wait_up() {
	local i code
	for i in $(seq 200); do
		code=$(reg_curl -o /dev/null -w '%{http_code}' --max-time 2 "$1" 2>/dev/null)
		case "$code" in 200 | 401) return 0 ;; esac
		kill -0 "$_REG_PID" 2>/dev/null || break
		sleep 0.05
	done
	fail "$2 did not answer at $1"
}

_reg_token_server() {
	[ -z "${REG_TOKEN:-}" ] || return 0
	_reg_bg token-server "$REG_DIR/token-server.log" "$REG_PY" "$REG_FIX/registry_token.py" \
		--port-file "$REG_DIR/token.port" --log "$REG_DIR/token.log" \
		--cert "$REG_DIR/server.crt" --key "$REG_DIR/server.key" \
		--sign-key "$REG_DIR/token.key" --sign-cert "$REG_DIR/token.crt" \
		--issuer "$REG_ISSUER" --user "$REG_USER:$REG_PASS"
	_reg_wait_file "$REG_DIR/token.port" "the token server" || {
		cat "$REG_DIR/token-server.log" >&2
		return 1
	}
	REG_TOKEN=127.0.0.1:$(cat "$REG_DIR/token.port")
	export REG_TOKEN
}

# _reg_name FUNCTION NAME: a name for REG_<NAME> and for $T/reg/NAME.log
_reg_name() {
	[[ $2 =~ ^[A-Za-z0-9_]+$ ]] || { fail "$1: name [$2]: letters, digits and _ only"; return 1; }
	[ "$2" != token ] || { fail "$1: \"token\" is the token server's (token.log)"; return 1; }
	[ ! -f "$REG_DIR/run/$2.pid" ] || { fail "$1: $2 runs already"; return 1; }
}

# what a registry is: its variables, certs.d and auth.json entries
_reg_record() { # NAME MODE HOSTPORT
	local name=$1 mode=$2 hp=$3
	printf -v "REG_$name" '%s' "$hp"
	printf -v "REG_MODE_$name" '%s' "$mode"
	printf -v "REG_LOG_$name" '%s' "$REG_DIR/$name.log"
	export "REG_$name" "REG_MODE_$name" "REG_LOG_$name"
	echo "$mode" >"$REG_DIR/modes/$hp"
	mkdir -p "$REG_CERTS_D/$hp"
	cp "$REG_CA" "$REG_CERTS_D/$hp/ca.crt"
	if [ "$mode" = basic ] || [ "$mode" = token ]; then
		jq --arg hp "$hp" --arg a "$(printf '%s:%s' "$REG_USER" "$REG_PASS" | base64 -w0)" \
			'.auths[$hp] = {auth: $a}' "$REG_AUTH_FILE" >"$REG_AUTH_FILE.tmp" &&
			mv "$REG_AUTH_FILE.tmp" "$REG_AUTH_FILE"
	fi
	echo "$hp"
}

# the port NAME had, if it ran before (reg_stop), so that it comes back there
_reg_old_port() { local v="REG_$1"; [ -z "${!v:-}" ] || echo "${!v##*:}"; }

reg_start() { # NAME MODE
	local name=$1 mode=$2
	_reg_here reg_start || return 1
	_reg_trap
	_reg_name reg_start "$name" || return 1
	case "$mode" in plain | tls | basic | token) ;; *) fail "reg_start: mode [$mode]: plain, tls, basic or token"; return 1 ;; esac
	[ "$mode" = token ] && { _reg_token_server || return 1; }
	local dir="$REG_DIR/$name" port scheme=https
	mkdir -p "$dir/data"
	port=$(_reg_old_port "$name")
	[ -n "$port" ] || port=$(_reg_free_port)
	[ "$mode" = plain ] && scheme=http
	{
		cat <<-YML
		version: 0.1
		log:
		  level: info
		  formatter: text
		  accesslog:
		    disabled: false
		storage:
		  filesystem:
		    rootdirectory: $dir/data
		  delete:
		    enabled: true
		  maintenance:
		    uploadpurging:
		      enabled: false
		http:
		  addr: 127.0.0.1:$port
		  secret: corral-test-$name
		YML
		[ "$mode" = plain ] || cat <<-YML
		  tls:
		    certificate: $REG_DIR/server.crt
		    key: $REG_DIR/server.key
		YML
		[ "$mode" = basic ] && cat <<-YML
		auth:
		  htpasswd:
		    realm: corral-test
		    path: $REG_DIR/htpasswd
		YML
		[ "$mode" = token ] && cat <<-YML
		auth:
		  token:
		    realm: https://$REG_TOKEN/token
		    service: $REG_SERVICE
		    issuer: $REG_ISSUER
		    rootcertbundle: $REG_DIR/token.crt
		YML
		true
	} >"$dir/config.yml"
	_reg_bg "$name" "$REG_DIR/$name.log" docker-registry serve "$dir/config.yml"
	_reg_wait_up "$scheme://127.0.0.1:$port/v2/" "registry $name" || {
		tail -20 "$REG_DIR/$name.log" >&2
		return 1
	}
	_reg_record "$name" "$mode" "127.0.0.1:$port"
}

reg_start_hostile() { # NAME [tls]
	local name=$1 tls=${2:-}
	_reg_here reg_start_hostile || return 1
	_reg_trap
	_reg_name reg_start_hostile "$name" || return 1
	local layout="$FIXTURES/images/oci" scheme=http args=()
	[ -f "$layout/index.json" ] || { fail "no $layout: run tests/fixtures/mkimages.sh"; return 1; }
	rm -f "$REG_DIR/$name.port" "$REG_DIR/$name.plain-port"
	if [ "$tls" = tls ]; then
		scheme=https
		args=(--tls "$REG_DIR/server.crt" "$REG_DIR/server.key" --plain-port-file "$REG_DIR/$name.plain-port")
	fi
	local port
	port=$(_reg_old_port "$name")
	: >>"$REG_DIR/$name.log"
	_reg_bg "$name" "$REG_DIR/$name.server.log" "$REG_PY" "$REG_FIX/registry_hostile.py" --layout "$layout" \
		--log "$REG_DIR/$name.log" --port-file "$REG_DIR/$name.port" --port "${port:-0}" "${args[@]}"
	_reg_wait_file "$REG_DIR/$name.port" "hostile registry $name" || {
		cat "$REG_DIR/$name.server.log" >&2
		return 1
	}
	local hp
	hp=127.0.0.1:$(cat "$REG_DIR/$name.port")
	_reg_wait_up "$scheme://$hp/v2/" "hostile registry $name" || return 1
	if [ "$tls" = tls ]; then
		printf -v "REG_${name}_PLAIN" '%s' "127.0.0.1:$(cat "$REG_DIR/$name.plain-port")"
		export "REG_${name}_PLAIN"
	fi
	_reg_record "$name" hostile "$hp"
}

reg_push() { # HOSTPORT SRC REPO:TAG [skopeo copy options]
	local hp=$1 src=$2 dest=$3 mode args
	shift 3
	mode=$(cat "$REG_DIR/modes/$hp" 2>/dev/null)
	case "$mode" in
	plain) args=(--dest-tls-verify=false) ;;
	tls) args=(--dest-cert-dir "$REG_CERTS") ;;
	basic | token) args=(--dest-cert-dir "$REG_CERTS" --dest-creds "$REG_USER:$REG_PASS") ;;
	*) fail "reg_push: $hp is no registry of reg_start"; return 1 ;;
	esac
	nsenter --net="$T/netns" skopeo copy -q --retry-times 0 "${args[@]}" "$@" "$src" "docker://$hp/$dest" ||
		fail "reg_push: skopeo copy $src to $hp/$dest failed"
}

# _reg_digest FILE: what skopeo's --digestfile holds
_reg_digest() { tr -d '\n' <"$1"; }

reg_push_fixtures() { # HOSTPORT
	local hp=$1 oci="$FIXTURES/images/oci" L="$REG_DIR/layouts"
	_reg_here reg_push_fixtures || return 1
	[ -f "$oci/index.json" ] || { fail "no $oci: run tests/fixtures/mkimages.sh"; return 1; }
	if [ ! -d "$L/multi" ]; then
		"$REG_PY" "$REG_FIX/registry_images.py" images "$oci" "$L" || { fail "registry_images.py failed"; return 1; }
	fi
	local f="$REG_DIR/digest"
	reg_push "$hp" "oci:$oci:test" library/busybox:1 --digestfile "$f" || return 1
	REG_DIGEST_busybox=$(_reg_digest "$f")
	reg_push "$hp" "oci:$L/multi:1" multi:1 --all --digestfile "$f" || return 1
	REG_DIGEST_multi=$(_reg_digest "$f")
	local idx
	idx=$(cat "$L/multi/blobs/sha256/${REG_DIGEST_multi#sha256:}") || { fail "multi:1 is not the index we made"; return 1; }
	REG_DIGEST_multi_amd64=$(jq -r '.manifests[] | select(.platform.architecture == "amd64") | .digest' <<<"$idx")
	REG_DIGEST_multi_arm64=$(jq -r '.manifests[] | select(.platform.architecture == "arm64") | .digest' <<<"$idx")
	reg_push "$hp" "oci:$oci:test" docker2:1 --format v2s2 --digestfile "$f" || return 1
	REG_DIGEST_docker2=$(_reg_digest "$f")
	reg_push "$hp" "oci:$L/shared:a" shared-a:1 --digestfile "$f" || return 1
	REG_DIGEST_shared_a=$(_reg_digest "$f")
	reg_push "$hp" "oci:$L/shared:b" shared-b:1 --digestfile "$f" || return 1
	REG_DIGEST_shared_b=$(_reg_digest "$f")
	REG_BLOB_shared=$(jq -r '.layers[0].digest' "$L/shared/blobs/sha256/${REG_DIGEST_shared_a#sha256:}")

	# the signature of library/busybox:1, where cosign puts it
	local s="$REG_DIR/sig" hex=${REG_DIGEST_busybox#sha256:}
	mkdir -p "$s"
	REG_SIG_PAYLOAD="$s/payload.json"
	printf '{"critical":{"identity":{"docker-reference":"%s/library/busybox"},"image":{"docker-manifest-digest":"%s"},"type":"cosign container image signature"},"optional":null}' \
		"$hp" "$REG_DIGEST_busybox" >"$REG_SIG_PAYLOAD"
	openssl dgst -sha256 -sign "$REG_COSIGN_KEY" -out "$s/payload.sig" "$REG_SIG_PAYLOAD" || { fail "openssl could not sign"; return 1; }
	REG_SIG_B64=$(base64 -w0 "$s/payload.sig")
	"$REG_PY" "$REG_FIX/registry_images.py" cosign "$s/layout" "$REG_SIG_PAYLOAD" "$REG_SIG_B64" ||
		{ fail "registry_images.py cosign failed"; return 1; }
	REG_SIG_TAG="sha256-$hex.sig"
	reg_push "$hp" "oci:$s/layout:sig" "library/busybox:$REG_SIG_TAG" --digestfile "$f" || return 1
	REG_DIGEST_sig=$(_reg_digest "$f")
	export REG_DIGEST_busybox REG_DIGEST_multi REG_DIGEST_multi_amd64 REG_DIGEST_multi_arm64 \
		REG_DIGEST_docker2 REG_DIGEST_shared_a REG_DIGEST_shared_b REG_BLOB_shared \
		REG_SIG_TAG REG_DIGEST_sig REG_SIG_PAYLOAD REG_SIG_B64
}

reg_log_mark() { # NAME
	wc -l <"$REG_DIR/$1.log" >"$REG_DIR/$1.mark"
}

reg_gets() { # NAME TEXT [METHOD]: requests since reg_log_mark, GET by default
	local from=0
	[ -f "$REG_DIR/$1.mark" ] && from=$(cat "$REG_DIR/$1.mark")
	tail -n +$((from + 1)) "$REG_DIR/$1.log" | awk -v t="$2" -v m="${3:-GET}" '
		{ for (i = 1; i < NF; i++) if ($i == m || $i == "\"" m) { if (index($(i + 1), t)) n++; break } }
		END { print n + 0 }'
}

# start_sv_reg [FLAG VALUE]...: (with supervisor_lib.sh) corrald in the
# registries' netns, trusting the test CA (certs.d), without the test's own
# REG_USER and REG_PASS in its environment
start_sv_reg() {
	cat >"$T/corrald-netns" <<-WRAP
	#!/bin/sh
	exec env -u REG_USER -u REG_PASS nsenter --net="$T/netns" "$B/bin/corrald" "\$@"
	WRAP
	chmod +x "$T/corrald-netns"
	CORRALD="$T/corrald-netns" start_sv --registry-certs-dir "$REG_CERTS_D" "$@"
}
