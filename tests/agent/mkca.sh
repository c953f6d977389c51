#!/bin/sh
# mkca.sh DIR NAME... - a test CA and one certificate per server name.
#
# Makes DIR/ca.pem (+ ca.key), DIR/NAME.pem and DIR/NAME.key for every
# NAME (EC P-256, CN and subjectAltName DNS:NAME, signed by the CA), and a
# second, foreign CA with one certificate in DIR/foreign/ (for NAME given
# as the first name), which no agent of the organization trusts.
set -eu
dir=$1; shift
mkdir -p "$dir/foreign"
cd "$dir"

mkcert() {	# CADIR NAME
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$1/$2.key" -subj "/CN=$2" -out "$1/$2.csr" 2>/dev/null
	printf 'subjectAltName=DNS:%s\nextendedKeyUsage=serverAuth,clientAuth\n' \
	    "$2" > "$1/$2.ext"
	openssl x509 -req -in "$1/$2.csr" -CA "$1/ca.pem" -CAkey "$1/ca.key" \
	    -CAcreateserial -days 2 -extfile "$1/$2.ext" -out "$1/$2.pem" \
	    2>/dev/null
	rm -f "$1/$2.csr" "$1/$2.ext"
}

for ca in . foreign; do
	openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
	    -nodes -keyout "$ca/ca.key" -subj "/CN=lsa test CA $ca" -days 2 \
	    -out "$ca/ca.pem" 2>/dev/null
done
for n in "$@"; do
	mkcert . "$n"
done
mkcert foreign "$1"
