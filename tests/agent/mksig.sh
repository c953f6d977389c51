#!/bin/sh
# mksig.sh DIR - certificates for the signature tests (test_sig.c), on top
# of mkca.sh's CA (DIR/ca.pem) and EC P-256 certificates a, b and c:
#   b2.pem/.key   a second certificate for server b, with a new key (a
#                 rollover)
#   e.pem/.key    server e with an Ed25519 key
#   r.pem/.key    server r with an RSA key (records cannot be signed
#                 with it: too long a signature)
#   crl.pem       the CA's CRL, revoking c
set -eu
dir=$1
sh tests/agent/mkca.sh "$dir" a b c
cd "$dir"

issue() {	# FILE NAME KEYOPTS...
	f=$1 n=$2
	shift 2
	openssl req -new "$@" -nodes -keyout "$f.key" -subj "/CN=$n" \
	    -out "$f.csr" 2>/dev/null
	printf 'subjectAltName=DNS:%s\nextendedKeyUsage=serverAuth,clientAuth\n' \
	    "$n" >"$f.ext"
	openssl x509 -req -in "$f.csr" -CA ca.pem -CAkey ca.key \
	    -CAcreateserial -days 2 -extfile "$f.ext" -out "$f.pem" 2>/dev/null
	rm -f "$f.csr" "$f.ext"
}
issue b2 b -newkey ec -pkeyopt ec_paramgen_curve:P-256
issue e e -newkey ed25519
issue r r -newkey rsa:2048

: >index.txt
echo 01 >crlnumber
cat >ca.cnf <<CNF
[ca]
default_ca = d
[d]
database = index.txt
crlnumber = crlnumber
default_md = sha256
default_crl_days = 2
CNF
openssl ca -config ca.cnf -keyfile ca.key -cert ca.pem -revoke c.pem \
    2>/dev/null
openssl ca -config ca.cnf -keyfile ca.key -cert ca.pem -gencrl \
    -out crl.pem 2>/dev/null
