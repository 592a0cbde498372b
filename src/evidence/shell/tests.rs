//! The shell reader's tests: scripts as Debian packages write them.

use super::*;

fn commands(r: &ScriptReading) -> Vec<&str> {
    r.commands.iter().map(String::as_str).collect()
}

/// A script run by a unit with `args`, sourcing files from `files`.
fn read_run(text: &str, args: &[&str], files: &[(&str, &str)]) -> ScriptReading {
    let ctx = ShellContext {
        program: "/usr/lib/food/helper".into(),
        args: Some(args.iter().map(|a| a.to_string()).collect()),
        ..Default::default()
    };
    let mut source = |f: &str| {
        files
            .iter()
            .find(|(n, _)| *n == f)
            .map(|(_, t)| t.to_string())
            .ok_or_else(|| "file not found in the root".into())
    };
    read_shell_with(text, &ctx, &mut source)
}

#[test]
fn shell_reading() {
    let r = read_run(
        "#!/bin/sh\n# exec /not/this\nDAEMON=/usr/sbin/food\n[ -r /etc/default/food ] && . /etc/default/food\n\
         mkdir -p /run/food\nstart-stop-daemon --help >/dev/null 2>&1 || true\nexec $DAEMON -f \"$@\"\n",
        &[],
        &[("/etc/default/food", "OPTS=-v\n")],
    );
    assert!(r.paths.contains("/usr/sbin/food") && r.commands.contains("/usr/sbin/food"));
    assert!(!r.paths.contains("/not/this"));
    assert!(r.commands.contains("mkdir") && r.commands.contains("start-stop-daemon"));
    assert!(!r.commands.contains("exec") && !r.commands.contains("true"));
    assert!(r.dynamic.is_empty(), "{:?}", r.dynamic);

    let r = read_shell(
        "f() { /usr/lib/x/helper; }\ncase \"$1\" in\n  start|re-start) f ;;\n  stop) kill $(cat /run/p) 2>&1 >/dev/null ;;\n\
         esac\ncommand -v dig > /dev/null && echo ok\nfunction g { :; }\ng\n",
    );
    assert_eq!(commands(&r), ["/usr/lib/x/helper", "cat"]);
    assert!(r.dynamic.is_empty(), "{:?}", r.dynamic);

    // POSIX case patterns in parentheses, and arithmetic: samba's is-configured.
    let r = read_shell(
        "server_role=$(testparm -s 2>/dev/null)\ncase \"$1\" in\n    ( smb | smbd )\n\texit $addc\n\t;;\n\
         ( samba | samba-ad-dc ) exit $((!$addc)) ;;\n    ( * )\n\techo no >&2 ;;\nesac\n( cd /tmp && /usr/bin/make )\n",
    );
    assert_eq!(commands(&r), ["/usr/bin/make", "testparm"]);
    assert!(r.dynamic.is_empty(), "{:?}", r.dynamic);

    // A quoted string over several lines is one word; an escaped quote opens none.
    let r = read_shell("ret=$(echo \"\n  SELECT x FROM y\n  WHERE z;\" | mysql)\necho \\\"a\nlogger b\n");
    assert_eq!(commands(&r), ["logger", "mysql"]);

    let r = read_shell("#!/bin/sh\nexec \"$@\"\n");
    assert_eq!(r.dynamic, ["execs a command named at run time: $@"]);
    let r = read_shell("eval \"$CMD\"\nx=$(/usr/lib/foo/helper --x)\ncat <<EOF\nexec /nope\nEOF\n");
    assert!(r.dynamic.iter().any(|d| d.contains("eval")));
    assert!(r.commands.contains("/usr/lib/foo/helper") && !r.paths.contains("/nope"));
}

/// dnsmasq's systemd-helper: the daemon named in a variable of a sourced file, a file
/// sourced by a name built from variables and the script's arguments.
#[test]
fn variables_from_sourced_files_and_arguments() {
    let common = "DAEMON=/usr/sbin/food\nNAME=food\nINSTANCE=\"${2}\"\n\
                  if [ -r /etc/default/${NAME}${INSTANCE:+.${INSTANCE}} ]; then\n  . /etc/default/${NAME}${INSTANCE:+.${INSTANCE}}\nfi\n\
                  OPTS=\"$OPTS `env LC_ALL=C sed -ne \"s/x/y/p\" $F | tr '\\n' ' '`\"\n";
    let helper = ". /usr/share/food/common\ncase \"$1\" in\n  exec)\n    exec ${DAEMON} -x /run/food/${NAME}.pid ${OPTS:+ ${OPTS}}\n    ;;\nesac\n";
    let files = [("/usr/share/food/common", common), ("/etc/default/food", "CONFIG_DIR=/etc/food.d\n")];
    let r = read_run(helper, &["exec"], &files);
    assert_eq!(commands(&r), ["/usr/sbin/food", "sed", "tr"]);
    assert!(r.dynamic.is_empty(), "{:?}", r.dynamic);
    // Without the instance's file in the root, what it would set is unknown: DAEMON too,
    // assigned before it.
    let r = read_run(helper, &["exec", "two"], &files);
    assert_eq!(r.dynamic, ["execs a command named at run time: ${DAEMON}"]);
    // Arguments unknown: so is the file.
    let r = read_shell(helper);
    assert!(r.dynamic.iter().any(|d| d.starts_with("sources /usr/share/food/common")), "{:?}", r.dynamic);
}

/// apache2ctl and unbound-helper: the unit's argument selects a branch of `case`, `$0`
/// decides an `if`, and a function's body is read only when a part read calls it.
#[test]
fn the_units_arguments_select_what_runs() {
    let script = "set -e\nARGV=\"$@\"\nif test \"${0##*helperctl-}\" != \"$0\" ; then\n  CONF=\"/etc/food-${0##*helperctl-}\"\nelse\n  CONF=/etc/food\nfi\n\
                  . $CONF/envvars\nget_status () {\n  $LYNX http://localhost/\n}\nprep() { /usr/bin/install -d /run/food; }\nprep\n\
                  case \"$ARGV\" in\nstart)\n  /usr/sbin/food -k start ;;\nstatus|fullstatus) get_status ;;\n( re* \\\n  | x )\n  /usr/bin/reload ;;\n*)\n  /usr/sbin/food \"$@\"\nesac\n";
    let files = [("/etc/food/envvars", "LYNX=www-browser\n")];
    let r = read_run(script, &["start"], &files);
    assert_eq!(commands(&r), ["/usr/bin/install", "/usr/sbin/food"]);
    assert!(r.dynamic.is_empty(), "{:?}", r.dynamic);
    let r = read_run(script, &["status"], &files);
    assert_eq!(commands(&r), ["/usr/bin/install", "www-browser"]);
    let r = read_run(script, &["restart"], &files);
    assert_eq!(commands(&r), ["/usr/bin/install", "/usr/bin/reload"]);
    let r = read_run(script, &["-t"], &files);
    assert_eq!(commands(&r), ["/usr/bin/install", "/usr/sbin/food"]);
    // Arguments unknown, or changed by `shift`: every branch; a function named by a
    // variable's value, or in a quoted pattern that may hold a literal `*`: read.
    let all = ["/usr/bin/install", "/usr/bin/reload", "/usr/sbin/food", "www-browser"];
    assert_eq!(commands(&read_run(script, &[], &files)), ["/usr/bin/install", "/usr/sbin/food"]);
    let unknown = read_shell_with(script, &ShellContext::default(), &mut |_| Err("no".into()));
    assert_eq!(commands(&unknown), ["/usr/bin/install", "/usr/bin/reload", "/usr/sbin/food"]);
    assert_eq!(commands(&read_run(&script.replace("set -e", "shift"), &["x", "start"], &files)), all);
    let named = read_run(&script.replace("prep\n", "F=get_status\n"), &["start"], &files);
    assert_eq!(commands(&named), ["/usr/sbin/food", "www-browser"]);
    let quoted = script.replace("start)\n  /usr/sbin/food -k start", "\"st*\")\n  /usr/bin/quoted");
    assert_eq!(
        commands(&read_run(&quoted, &["start"], &files)),
        ["/usr/bin/install", "/usr/bin/quoted", "/usr/sbin/food"]
    );
    // ARGV assigned twice, or in a branch: not fixed; bash's `;&` falls through.
    assert_eq!(commands(&read_run(&format!("{script}ARGV=x\n"), &["start"], &files)), all);
    let fall = script.replace("-k start ;;", "-k start ;&");
    assert_eq!(commands(&read_run(&fall, &["start"], &files)), all);
    // With `$0` not deciding the `if`, the other file is sourced, and is not in the root.
    let r = read_run(&script.replace("!=", "="), &["start"], &files);
    assert!(r.dynamic.iter().any(|d| d.contains("sources /etc/food-/usr/lib/food/helper/envvars")), "{:?}", r.dynamic);
    // A case in a function is decided by the function's arguments, not the script's.
    let inner = "f() {\n  case \"$1\" in\n    a) /usr/bin/a ;;\n    *) /usr/bin/b ;;\n  esac\n}\nf b\n";
    assert_eq!(commands(&read_run(inner, &["a"], &[])), ["/usr/bin/a", "/usr/bin/b"]);
}

/// apache2ctl: a default in `${NAME:-WORD}`, keywords and `!` that are plain arguments,
/// command substitutions inside quotes and inside a test.
#[test]
fn defaults_keywords_and_substitutions() {
    let r = read_run(
        "HTTPD=${APACHE_HTTPD:-/usr/sbin/apache2}\nULIMIT=\"${APACHE_ULIMIT:-ulimit -n 8192}\"\n\
         if [ \"x$ULIMIT\" != \"x\" ] && [ `id -u` -eq 0 ] ; then\n  if ! $ULIMIT ; then echo and then use it >&2 ; fi\nfi\n\
         [ ! -d ${RUN:-/run/a} ] && mkdir -p ${RUN:-/run/a}\nSTAT=\"$(LC_ALL=C stat -c %F $D || true)\"\n$HTTPD -k \"$1\"\n",
        &["start"],
        &[],
    );
    assert_eq!(commands(&r), ["/usr/sbin/apache2", "id", "mkdir", "stat"]);
    assert!(r.dynamic.is_empty(), "{:?}", r.dynamic);
    assert!(r.arguments["/usr/sbin/apache2"].contains("-k"));
    // The unit may set any variable through an EnvironmentFile=.
    let ctx = ShellContext { open_environment: true, args: Some(vec![]), ..Default::default() };
    let r = read_shell_with("HTTPD=${APACHE_HTTPD:-/usr/sbin/apache2}\n$HTTPD\n", &ctx, &mut |_| Err("no".into()));
    assert_eq!(r.dynamic, ["runs a command named at run time: $HTTPD"]);
}

/// galera_recovery: `eval` of a command line whose words the script fixes; its arguments are
/// empty when the script is run without any.
#[test]
fn eval_of_fixed_words_runs_what_they_name() {
    let script = "args=$@\nuser=mysql\nlog=$(mktemp /tmp/x.XXXXXX)\n\
                  eval /usr/sbin/food $args --user=$user --recover 2> \"$log\"\n";
    let r = read_run(script, &[], &[]);
    assert_eq!(commands(&r), ["/usr/sbin/food", "mktemp"]);
    assert!(r.dynamic.is_empty(), "{:?}", r.dynamic);
    assert!(r.arguments["/usr/sbin/food"].contains("--user=mysql"));
    // Arguments unknown, a value decided at run time, or one `eval` reads again as syntax.
    let unknown = read_shell_with(script, &ShellContext::default(), &mut |_| Err("no".into()));
    assert_eq!(unknown.dynamic, ["runs `eval`: the command is built at run time"]);
    for (args, changed) in
        [(&["x;", "/usr/bin/rm"][..], script), (&[], &script.replace("user=mysql", "user=$(id -un)"))]
    {
        let r = read_run(changed, args, &[]);
        assert_eq!(r.dynamic, ["runs `eval`: the command is built at run time"], "{changed} {args:?}");
    }
    // The first word is the command, even when a variable holds it with its options.
    let r = read_run("CMD=\"/usr/bin/a -x\"\neval $CMD /etc/a.conf; eval f\nf() { /usr/bin/b; }\n", &[], &[]);
    assert_eq!(commands(&r), ["/usr/bin/a", "/usr/bin/b"]);
}

/// debian-start: files of /etc/default no package ships, sourced only when they exist. What
/// they set changes variables assigned before them, never those assigned after.
#[test]
fn an_absent_file_sourced_only_when_it_exists_may_set_any_variable() {
    let script = "DAEMON=/usr/sbin/food\nif [ -f /etc/default/food ]\nthen\n  . /etc/default/food\nfi\n\
                  [ -r /etc/default/more ] && . /etc/default/more\nUPGRADE=\"/usr/bin/food-upgrade --check\"\n\
                  up() { $UPGRADE; }\nup\n";
    let r = read_run(script, &[], &[]);
    assert_eq!(commands(&r), ["/usr/bin/food-upgrade"]);
    assert!(r.dynamic.is_empty(), "{:?}", r.dynamic);
    // Each is named for explain, with what the script assigned before it.
    let admin = |file: &str| AdminFile { file: file.into(), unknown: vec!["DAEMON".into()] };
    assert_eq!(r.admin_files, [admin("/etc/default/food"), admin("/etc/default/more")]);
    let r = read_run(&format!("{script}exec $DAEMON\n"), &[], &[]);
    assert_eq!(r.dynamic, ["execs a command named at run time: $DAEMON"]);
    // So are variables no one assigns; the unit's arguments stay.
    let r = read_run(&format!("{script}$OTHER\n"), &["start"], &[]);
    assert_eq!(r.dynamic, ["runs a command named at run time: $OTHER"]);
    let r = read_run(&format!("{script}case \"$1\" in start) /usr/bin/a ;; *) /usr/bin/b ;; esac\n"), &["start"], &[]);
    assert_eq!(commands(&r), ["/usr/bin/a", "/usr/bin/food-upgrade"]);
    // Sourced whether or not it exists, in the `else` of its test, or tested under another name.
    for sourced in [
        ". /etc/default/food\n",
        "if [ -f /etc/default/food ]; then :; else . /etc/default/food; fi\n",
        "[ -f /etc/default/other ] && . /etc/default/food\n",
        "if [ -f /etc/default/food ]; then . /etc/default/other; fi\n",
    ] {
        let r = read_run(&format!("{sourced}/usr/bin/x\n"), &[], &[]);
        assert_eq!(r.dynamic.len(), 1, "{sourced}: {:?}", r.dynamic);
        assert!(r.dynamic[0].starts_with("sources /etc/default/"), "{:?}", r.dynamic);
    }
    // A file in the root is read as ever.
    let r = read_run(script, &[], &[("/etc/default/food", "UPGRADE=/usr/bin/other\n"), ("/etc/default/more", "")]);
    assert_eq!(commands(&r), ["/usr/bin/food-upgrade", "/usr/bin/other"]);
}
