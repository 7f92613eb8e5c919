#!/bin/sh
# SPDX-License-Identifier: MIT
# t0600: drift ca init/issue write a CA and certificates that the openssl
# tools accept for what they are meant for (and refuse for the rest), and a
# real mutual-TLS handshake names the client by its host id.
. "$DRIFT_SRC/tests/lib.sh"

command -v openssl >/dev/null || skip "no openssl command"

CA="$SCRATCH/ca"
OTHER="$SCRATCH/other"
PORT=$((20000 + 600))
SERVER_PID=

stop_server() {
	if [ -n "$SERVER_PID" ]; then
		kill "$SERVER_PID" 2>/dev/null || :
		wait "$SERVER_PID" 2>/dev/null || :
		SERVER_PID=
	fi
}
trap 'stop_server; rm -rf "$SCRATCH"' EXIT

# --- the command line -------------------------------------------------------
expect_exit 0 "$DRIFT" --help
grep -q '^  ca ' "$SCRATCH/out" || fail "drift --help does not list ca"
expect_exit 0 "$DRIFT" ca --help
expect_exit 0 "$DRIFT" ca init --help
grep -q '/lib/drift/ca)' "$SCRATCH/out" || fail "ca init --help does not name the default directory"
grep -q '^Exit status' "$SCRATCH/out" || fail "ca init --help has no exit statuses"
expect_exit 0 "$DRIFT" ca issue --help
expect_exit 2 "$DRIFT" ca
expect_exit 2 "$DRIFT" ca frobnicate
expect_exit 2 "$DRIFT" ca init --dir "$CA" extra
expect_exit 2 "$DRIFT" ca init --dir "$CA" --days 0
grep -q "^drift: --days '0': " "$SCRATCH/err" || fail "bad --days message: $(cat "$SCRATCH/err")"
expect_exit 2 "$DRIFT" ca init --dir "$CA" --days 12x
expect_exit 2 "$DRIFT" ca init --dir "$CA" --bogus
[ ! -e "$CA" ] || fail "a refused command created $CA"

# --- a CA ---------------------------------------------------------------------
expect_exit 0 "$DRIFT" ca init --dir "$CA"
[ "$(stat -c %a "$CA/ca.key")" = 600 ] || fail "ca.key mode $(stat -c %a "$CA/ca.key")"
[ "$(stat -c %a "$CA")" = 700 ] || fail "a new CA directory should be 0700"
openssl x509 -in "$CA/ca.pem" -noout -text >"$SCRATCH/ca.txt"
grep -q 'CA:TRUE' "$SCRATCH/ca.txt" || fail "ca.pem is not a CA"
grep -A1 'Basic Constraints: critical' "$SCRATCH/ca.txt" | grep -q 'CA:TRUE' \
	|| fail "basicConstraints of ca.pem is not critical"
grep -A1 'Key Usage: critical' "$SCRATCH/ca.txt" | grep -q 'Certificate Sign, CRL Sign' \
	|| fail "ca.pem key usage"
grep -q 'Subject Key Identifier' "$SCRATCH/ca.txt" || fail "ca.pem has no subjectKeyIdentifier"
grep -q 'ASN1 OID: prime256v1' "$SCRATCH/ca.txt" || fail "ca.key is not P-256"
openssl x509 -in "$CA/ca.pem" -noout -checkend $((3649 * 86400)) >/dev/null \
	|| fail "the CA expires before 10 years"
! openssl x509 -in "$CA/ca.pem" -noout -checkend $((3651 * 86400)) >/dev/null \
	|| fail "the CA outlives 10 years"
openssl verify -x509_strict -CAfile "$CA/ca.pem" "$CA/ca.pem" >/dev/null || fail "ca.pem does not verify itself"

# a second init never replaces it
cp "$CA/ca.key" "$SCRATCH/ca.key.before"
expect_exit 1 "$DRIFT" ca init --dir "$CA"
grep -q "^drift: ca init: '$CA/ca.key' already exists" "$SCRATCH/err" \
	|| fail "second init: $(cat "$SCRATCH/err")"
cmp -s "$CA/ca.key" "$SCRATCH/ca.key.before" || fail "second init changed ca.key"

# --- certificates ---------------------------------------------------------------
expect_exit 0 "$DRIFT" ca issue 127.0.0.1 --dir "$CA" --server
expect_exit 0 "$DRIFT" ca issue web01 --dir "$CA"
for f in 127.0.0.1.key web01.key; do
	[ "$(stat -c %a "$CA/$f")" = 600 ] || fail "$f mode $(stat -c %a "$CA/$f")"
done
for n in 127.0.0.1 web01; do
	openssl x509 -in "$CA/$n.pem" -noout -pubkey >"$SCRATCH/cert.pub"
	openssl pkey -in "$CA/$n.key" -pubout >"$SCRATCH/key.pub"
	cmp -s "$SCRATCH/cert.pub" "$SCRATCH/key.pub" || fail "$n.key does not belong to $n.pem"
	openssl x509 -in "$CA/$n.pem" -noout -checkend $((824 * 86400)) >/dev/null \
		|| fail "$n.pem expires before 825 days"
	! openssl x509 -in "$CA/$n.pem" -noout -checkend $((826 * 86400)) >/dev/null \
		|| fail "$n.pem outlives 825 days"
done

openssl verify -x509_strict -purpose sslserver -CAfile "$CA/ca.pem" "$CA/127.0.0.1.pem" >/dev/null \
	|| fail "the server certificate does not verify as a TLS server"
openssl verify -x509_strict -purpose sslclient -CAfile "$CA/ca.pem" "$CA/web01.pem" >/dev/null \
	|| fail "the client certificate does not verify as a TLS client"
! openssl verify -purpose sslclient -CAfile "$CA/ca.pem" "$CA/127.0.0.1.pem" >/dev/null 2>&1 \
	|| fail "the server certificate passes as a client"
! openssl verify -purpose sslserver -CAfile "$CA/ca.pem" "$CA/web01.pem" >/dev/null 2>&1 \
	|| fail "the client certificate passes as a server"

openssl x509 -in "$CA/127.0.0.1.pem" -noout -text >"$SCRATCH/srv.txt"
grep -q 'Subject: CN = 127.0.0.1$' "$SCRATCH/srv.txt" || fail "server subject"
grep -q 'IP Address:127.0.0.1' "$SCRATCH/srv.txt" || fail "server has no IP subjectAltName"
grep -q 'TLS Web Server Authentication' "$SCRATCH/srv.txt" || fail "server EKU"
openssl x509 -in "$CA/web01.pem" -noout -text >"$SCRATCH/cli.txt"
grep -q 'Subject: CN = web01$' "$SCRATCH/cli.txt" || fail "client subject"
grep -q 'TLS Web Client Authentication' "$SCRATCH/cli.txt" || fail "client EKU"
! grep -q 'TLS Web Server Authentication' "$SCRATCH/cli.txt" || fail "client certificate is also a server's"
! grep -q 'Subject Alternative Name' "$SCRATCH/cli.txt" || fail "client certificate has a subjectAltName"
for t in srv cli; do
	grep -A1 'Basic Constraints: critical' "$SCRATCH/$t.txt" | grep -q 'CA:FALSE' || fail "$t: CA:FALSE"
	grep -A1 'Key Usage: critical' "$SCRATCH/$t.txt" | grep -q 'Digital Signature$' || fail "$t: key usage"
	grep -q 'Authority Key Identifier' "$SCRATCH/$t.txt" || fail "$t: no authorityKeyIdentifier"
	grep -q 'ASN1 OID: prime256v1' "$SCRATCH/$t.txt" || fail "$t: not P-256"
done
expect_exit 0 "$DRIFT" ca issue collector.example.net --dir "$CA" --server --days 30
openssl x509 -in "$CA/collector.example.net.pem" -noout -text | grep -q 'DNS:collector.example.net' \
	|| fail "server certificate has no DNS subjectAltName"
openssl verify -x509_strict -purpose sslserver -CAfile "$CA/ca.pem" "$CA/collector.example.net.pem" \
	>/dev/null || fail "DNS server certificate"

# refusals: existing pair, the CA's own name, names that are paths
cp "$CA/web01.key" "$SCRATCH/web01.key.before"
expect_exit 1 "$DRIFT" ca issue web01 --dir "$CA"
grep -q "^drift: ca issue: '$CA/web01.pem' already exists; pass --force" "$SCRATCH/err" \
	|| fail "reissue: $(cat "$SCRATCH/err")"
cmp -s "$CA/web01.key" "$SCRATCH/web01.key.before" || fail "refused reissue changed web01.key"
expect_exit 1 "$DRIFT" ca issue ca --dir "$CA" --force
cmp -s "$CA/ca.key" "$SCRATCH/ca.key.before" || fail "issuing 'ca' touched ca.key"
expect_exit 2 "$DRIFT" ca issue ../web01 --dir "$CA"
expect_exit 2 "$DRIFT" ca issue --dir "$CA" -- -web01
expect_exit 1 "$DRIFT" ca issue web03 --dir "$SCRATCH/nowhere"
grep -q "drift ca init" "$SCRATCH/err" || fail "no CA: $(cat "$SCRATCH/err")"
expect_exit 0 "$DRIFT" ca issue web01 --dir "$CA" --force
! cmp -s "$CA/web01.key" "$SCRATCH/web01.key.before" || fail "--force kept the old key"
[ -z "$(find "$CA" -name '.*' ! -name . )" ] || fail "temporary files left: $(ls -A "$CA")"

# a second, unrelated CA issuing the same name
expect_exit 0 "$DRIFT" ca init --dir "$OTHER"
expect_exit 0 "$DRIFT" ca issue web01 --dir "$OTHER"
! openssl verify -CAfile "$CA/ca.pem" "$OTHER/web01.pem" >/dev/null 2>&1 \
	|| fail "a certificate of another CA verifies"

# --- a real handshake with client authentication ----------------------------------
# start_server: s_server for one connection, demanding a client certificate
# from our CA; ready once it printed ACCEPT (it binds before that). A port
# taken by a concurrent run of this test moves us to the next one.
start_server() {
	stop_server
	tries=0
	while :; do
		: >"$SCRATCH/server.log"
		openssl s_server -accept "127.0.0.1:$PORT" -naccept 1 -www \
			-cert "$CA/127.0.0.1.pem" -key "$CA/127.0.0.1.key" \
			-CAfile "$CA/ca.pem" -Verify 1 -verify_return_error \
			</dev/null >"$SCRATCH/server.log" 2>&1 &
		SERVER_PID=$!
		i=0
		while ! grep -q '^ACCEPT' "$SCRATCH/server.log"; do
			if ! kill -0 "$SERVER_PID" 2>/dev/null; then
				wait "$SERVER_PID" || :
				SERVER_PID=
				break
			fi
			i=$((i + 1))
			[ $i -lt 300 ] || fail "s_server not ready after 30 s: $(cat "$SCRATCH/server.log")"
			sleep 0.1
		done
		[ -n "$SERVER_PID" ] && return 0
		tries=$((tries + 1))
		[ $tries -lt 10 ] || fail "s_server did not start: $(cat "$SCRATCH/server.log")"
		PORT=$((PORT + 1))
	done
}

# connect DIR NAME: a TLS client presenting DIR/NAME.pem, checking the
# server against our CA and its IP address; sends one request.
connect() {
	set +e
	printf 'GET / HTTP/1.0\r\n\r\n' | openssl s_client -ign_eof -connect "127.0.0.1:$PORT" \
		-cert "$1/$2.pem" -key "$1/$2.key" -CAfile "$CA/ca.pem" \
		-verify_return_error -verify_ip 127.0.0.1 >"$SCRATCH/client.log" 2>&1
	client_rc=$?
	set -e
}

# the server exited by itself after its one connection, cleanly
server_done() {
	i=0
	while kill -0 "$SERVER_PID" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 300 ] || fail "s_server did not stop after its connection"
		sleep 0.1
	done
	wait "$SERVER_PID" || fail "s_server exited $?: $(cat "$SCRATCH/server.log")"
	SERVER_PID=
}

start_server
connect "$CA" web01
server_done
[ "$client_rc" = 0 ] || fail "handshake failed: $(tail -20 "$SCRATCH/client.log")"
grep -q '^depth=0 CN = web01$' "$SCRATCH/server.log" || fail "server did not see CN=web01"
grep -q '1 server accepts that finished' "$SCRATCH/server.log" || fail "server handshake did not finish"
grep -q '^Client certificate' "$SCRATCH/client.log" || fail "server reports no client certificate"
grep -q "Subject: CN \\{0,1\\}= \\{0,1\\}web01$" "$SCRATCH/client.log" || fail "server reports another client name"

# same name, another CA: the server refuses it
start_server
connect "$OTHER" web01
server_done
[ "$client_rc" != 0 ] || fail "a certificate from another CA was accepted"
grep -q 'verify error' "$SCRATCH/server.log" || fail "server did not reject the foreign certificate"
grep -q '0 server accepts that finished' "$SCRATCH/server.log" || fail "foreign handshake finished"
! grep -q '^Client certificate' "$SCRATCH/client.log" || fail "foreign client got an answer"

# our own server certificate is not a client certificate
start_server
connect "$CA" 127.0.0.1
server_done
[ "$client_rc" != 0 ] || fail "a server certificate was accepted as a client's"
grep -q '0 server accepts that finished' "$SCRATCH/server.log" || fail "server-as-client handshake finished"

exit 0
