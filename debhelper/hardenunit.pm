# dh sequence addon: `dh $@ --with hardenunit` or Build-Depends: dh-sequence-hardenunit.
# No package line: dh evaluates this file inside its own add-on API package.
use strict;
use warnings;
use Debian::Debhelper::Dh_Lib qw(error);

# After both unit installers, so system and user units are in debian/PKG/, and
# before dh_fixperms/dh_md5sums/dh_builddeb so the drop-ins are packaged like
# any other file. dh_installsystemduser only exists in compat >= 12.
# insert_after() returns false, silently, when its anchor is not in the sequence.
insert_after('dh_installsystemduser', 'dh_hardenunit')
	or insert_after('dh_installsystemd', 'dh_hardenunit')
	or error('hardenunit: neither dh_installsystemduser nor dh_installsystemd is in the dh sequence '
		. '(compat level 10 or older?); the hardenunit addon needs debhelper compat 11 or later');

1;
