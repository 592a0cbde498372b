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

# haproxy balances to apache2 (as varnish caches it): its default configuration has no frontend.
if has /etc/haproxy/haproxy.cfg && ! grep -q '^frontend bootlab' /etc/haproxy/haproxy.cfg; then
    printf '\nfrontend bootlab\n\tbind 127.0.0.1:8404\n\tdefault_backend bootlab\n\nbackend bootlab\n\tserver apache2 127.0.0.1:80\n' \
        >>/etc/haproxy/haproxy.cfg
fi

# Port 80 goes to apache2; lighttpd moves to 8082.
if has /etc/lighttpd/lighttpd.conf; then
    sed -i 's/^server.port *= 80$/server.port = 8082/' /etc/lighttpd/lighttpd.conf
fi

# stunnel runs one instance per configuration file: TLS on 8443 in front of apache2, with a
# certificate made here.
if has /etc/stunnel && command -v openssl >/dev/null; then
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj /CN=bootlab.localdomain \
        -keyout /etc/stunnel/bootlab.pem -out /etc/stunnel/bootlab.pem 2>/dev/null
    chmod 600 /etc/stunnel/bootlab.pem
    printf 'foreground = yes\n\n[https]\naccept = 127.0.0.1:8443\nconnect = 127.0.0.1:80\ncert = /etc/stunnel/bootlab.pem\n' \
        >/etc/stunnel/bootlab.conf
fi

# A Kerberos realm with one user, so that a ticket can be asked for.
if has /etc/krb5kdc/kdc.conf && has /usr/sbin/kdb5_util; then
    printf '[libdefaults]\n\tdefault_realm = BOOTLAB.TEST\n[realms]\n\tBOOTLAB.TEST = {\n\t\tkdc = 127.0.0.1\n\t\tadmin_server = 127.0.0.1\n\t}\n' \
        >/etc/krb5.conf
    if ! has /var/lib/krb5kdc/principal; then
        kdb5_util create -s -r BOOTLAB.TEST -P bootlab-master >/dev/null
        kadmin.local -r BOOTLAB.TEST -q 'addprinc -pw bootlab bootlab' >/dev/null
    fi
fi

# pgbouncer's admin console, reached over TCP as postgres without a password.
if has /etc/pgbouncer/pgbouncer.ini; then
    sed -i 's/^auth_type = .*/auth_type = trust/; s/^;admin_users = .*/admin_users = postgres/' /etc/pgbouncer/pgbouncer.ini
    printf '"postgres" ""\n' >/etc/pgbouncer/userlist.txt
fi

# tftpd serves a file of its own, from /srv/tftp (its /etc/default file) or, since 7.2
# (unstable), from /var/lib/tftpboot (its unit).
if has /etc/default/tftpd-hpa; then mkdir -p /srv/tftp && echo bootlab >/srv/tftp/bootlab.txt; fi
if has /var/lib/tftpboot; then echo bootlab >/var/lib/tftpboot/bootlab.txt; fi

# transmission answers its RPC with the session-id handshake (409) once no password is asked.
if has /etc/transmission-daemon/settings.json; then
    sed -i 's/"rpc-authentication-required": [a-z0-9]*/"rpc-authentication-required": false/' \
        /etc/transmission-daemon/settings.json
fi

# radicale's package leaves its collection store to root; its README says to hand it over.
if has /var/lib/radicale/collections && getent passwd radicale >/dev/null; then
    chown -R radicale:radicale /var/lib/radicale/collections
fi

# squid waits 30 s for open connections before it stops; every restart of the lab would wait
# that long for nothing.
if has /etc/squid/squid.conf && ! grep -q '^shutdown_lifetime' /etc/squid/squid.conf; then
    echo 'shutdown_lifetime 1 seconds' >>/etc/squid/squid.conf
fi

# The PowerDNS recursor moves off bind9's port 53. Its include directory takes old-style *.conf
# files up to 4.x (bookworm) and YAML *.yml files from 5.0 (trixie); each release reads only its own.
if has /etc/powerdns/recursor.d; then
    printf 'local-port=5305\n' >/etc/powerdns/recursor.d/bootlab.conf
    printf 'incoming:\n  port: 5305\n' >/etc/powerdns/recursor.d/bootlab.yml
fi

# nsd serves the lab's zone on a port of its own.
if has /etc/nsd/nsd.conf.d; then
    zone >/etc/nsd/bootlab.test.zone
    printf 'server:\n    ip-address: 127.0.0.1\n    port: 5306\n\nzone:\n    name: bootlab.test\n    zonefile: /etc/nsd/bootlab.test.zone\n' \
        >/etc/nsd/nsd.conf.d/bootlab.conf
fi

# freeradius authenticates one user of its files module (the package's "users" file is a
# symlink to this one), so that the probe gets an Access-Accept from the default site.
authorize=/etc/freeradius/3.0/mods-config/files/authorize
if has "$authorize" && ! grep -q '^bootlab ' "$authorize"; then
    sed -i '1i bootlab Cleartext-Password := "bootlab-pw"' "$authorize"
fi

# xinetd's own echo service (TCP port 7), shipped disabled.
if has /etc/xinetd.d/echo; then
    sed -i '0,/disable\s*= yes/s//disable = no/' /etc/xinetd.d/echo
fi

# monit answers its command line over its HTTP interface (shipped commented out), and watches
# one file, so that its summary names a service of the lab's (its own system service already
# takes the host name, bootlab).
if has /etc/monit/conf.d; then
    printf 'set httpd port 2812 and use address localhost allow localhost\n\ncheck file labfile with path /etc/hostname\n' \
        >/etc/monit/conf.d/bootlab
fi

# supervisord keeps one program running.
if has /etc/supervisor/conf.d; then
    printf '[program:bootlab]\ncommand=/bin/sleep infinity\n' >/etc/supervisor/conf.d/bootlab.conf
fi
