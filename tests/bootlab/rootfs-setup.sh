#!/bin/sh
# Runs once inside the freshly installed boot-lab root file system (not booted, as root).
# Only configuration changes that let every listed daemon start side by side in one container
# with nothing but a loopback interface; no unit file is touched, so what the packages ship is
# exactly what gets hardened. Each change is skipped when its package is not installed (a
# shorter list). This file is part of the rootfs cache key.
set -eu
has() { [ -e "$1" ]; }

# A resolvable FQDN: amavisd refuses to start without one, proftpd without an address for it.
echo bootlab >/etc/hostname
echo bootlab.localdomain >/etc/mailname
sed -i '/bootlab/d' /etc/hosts
echo '127.0.1.1 bootlab.localdomain bootlab' >>/etc/hosts

# Port 80 goes to apache2; nginx moves to 8081, varnish fronts apache2.
if has /etc/nginx/sites-available/default; then
    sed -i 's/listen 80 default_server;/listen 8081 default_server;/; s/listen \[::\]:80 default_server;/listen [::]:8081 default_server;/' \
        /etc/nginx/sites-available/default
fi
if has /etc/varnish/default.vcl; then sed -i 's/\.port = "8080";/.port = "80";/' /etc/varnish/default.vcl; fi

# Port 53 goes to bind9; the other DNS servers get their own ports.
if has /etc/unbound; then
    mkdir -p /etc/unbound/unbound.conf.d
    printf 'server:\n    port: 5301\n' >/etc/unbound/unbound.conf.d/bootlab.conf
fi
if has /etc/dnsmasq.d; then printf 'port=5302\n' >/etc/dnsmasq.d/bootlab.conf; fi

# Authoritative servers answer for a zone of their own, so the probe asks a real question.
zone() {
    cat <<'ZONE'
$ORIGIN bootlab.test.
$TTL 300
@   IN SOA ns.bootlab.test. hostmaster.bootlab.test. 1 3600 600 86400 300
@   IN NS  ns.bootlab.test.
@   IN A   127.0.0.1
ns  IN A   127.0.0.1
ZONE
}
if has /etc/powerdns/pdns.d; then
    zone >/etc/powerdns/bootlab.test.zone
    printf 'zone "bootlab.test" { type master; file "/etc/powerdns/bootlab.test.zone"; };\n' \
        >/etc/powerdns/bootlab-zones.conf
    cat >/etc/powerdns/pdns.d/bootlab.conf <<'PDNS'
launch=bind
bind-config=/etc/powerdns/bootlab-zones.conf
local-address=127.0.0.1
local-port=5303
PDNS
fi
# bind9 9.20 (trixie) no longer ships the localhost zone that 9.18 had in
# named.conf.default-zones; without it the probe's question goes out to the root servers.
if has /etc/bind/named.conf.local && ! has /etc/bind/named.conf.default-zones; then
    printf '$TTL 300\n@ IN SOA localhost. root.localhost. 1 3600 600 86400 300\n@ IN NS localhost.\n@ IN A 127.0.0.1\n@ IN AAAA ::1\n' \
        >/etc/bind/db.bootlab-localhost
    printf 'zone "localhost" { type master; file "/etc/bind/db.bootlab-localhost"; };\n' >>/etc/bind/named.conf.local
fi
if has /etc/knot/knot.conf; then
    zone >/var/lib/knot/bootlab.test.zone
    chown knot:knot /var/lib/knot/bootlab.test.zone
    sed -i 's/^    automatic-acl: on$/    automatic-acl: on\n    listen: [ 127.0.0.1@5304, ::1@5304 ]/' /etc/knot/knot.conf
    sed -i 's/^zone:$/zone:\n  - domain: bootlab.test/' /etc/knot/knot.conf
fi

# bird cannot pick a router id from an interface list that holds only lo.
if has /etc/bird/bird.conf && ! grep -q '^router id' /etc/bird/bird.conf; then
    sed -i '1i router id 192.0.2.1;' /etc/bird/bird.conf
fi

# coturn finds no "meaningful" address on lo alone unless told to listen there.
if has /etc/turnserver.conf && ! grep -q '^listening-ip=127.0.0.1' /etc/turnserver.conf; then
    echo 'listening-ip=127.0.0.1' >>/etc/turnserver.conf
fi

# rsync's unit only starts when a daemon configuration exists.
if has /usr/bin/rsync; then
    mkdir -p /srv/rsync
    printf '[bootlab]\n    path = /srv/rsync\n    read only = yes\n' >/etc/rsyncd.conf
fi

# php-fpm answers /ping with "pong": a FastCGI round trip without any PHP script.
for pool in /etc/php/*/fpm/pool.d/www.conf; do
    if has "$pool"; then sed -i 's|^;ping.path = /ping|ping.path = /ping|' "$pool"; fi
done

# nmbd waits for a broadcast interface that a --private-network container never has, holding
# the boot up for its whole start timeout.
if has /lib/systemd/system/nmbd.service; then systemctl disable nmbd.service 2>/dev/null || true; fi
