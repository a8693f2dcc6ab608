# STAND-IN (tests only): vLLM's sleep mode, as vLLM documents it ("Sleep Mode"; endpoints served only
# with VLLM_SERVER_DEV_MODE=1): POST /sleep?level=N frees the engine's memory (here: llama-server is
# stopped, as level 1 frees the GPU), POST /wake_up brings it back (here: llama-server restarted,
# answered once healthy), GET /is_sleeping says {"is_sleeping": bool}; /health stays 200 while asleep
# (the server process is up). Everything else is relayed to llama-server on an inner port, one
# forked relay per connection (streams pass through as they come). Like vLLM, the port opens only
# once the model is loaded. perl-base only.
use strict;
use IO::Socket::INET;
use IO::Select;
use POSIX qw(:sys_wait_h);
$| = 1;
my ($host, $port, $inner, @engine) = @ARGV;
my ($engine_pid, $sleeping) = (undef, 0);

sub log_line { print "INFO stand-in vllm: @_\n"; }

sub healthy {
  my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1", PeerPort => $inner, Timeout => 1) or return 0;
  print $s "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  my $line = <$s> // "";
  close $s;
  return $line =~ m{^HTTP/1\.\d 200};
}

sub start_engine {
  $engine_pid = fork();
  die "fork: $!" unless defined $engine_pid;
  if ($engine_pid == 0) { exec @engine; exit 127; }
  for (1 .. 1200) {
    return 1 if healthy();
    if (waitpid($engine_pid, WNOHANG) == $engine_pid) { my $code = $? >> 8; log_line("the engine exited while loading ($code)"); exit($code || 1); }
    select(undef, undef, undef, 0.1);
  }
  die "stand-in vllm: the engine did not become healthy\n";
}

sub stop_engine {
  return unless $engine_pid;
  kill 'TERM', $engine_pid;
  waitpid($engine_pid, 0);
  $engine_pid = undef;
}

$SIG{TERM} = sub { stop_engine(); exit 0; };
$SIG{INT} = $SIG{TERM};

sub respond {
  my ($c, $status, $type, $body) = @_;
  print $c "HTTP/1.1 $status\r\nContent-Type: $type\r\nContent-Length: " . length($body) . "\r\nConnection: close\r\n\r\n$body";
  close $c;
}

sub read_request {
  my ($c) = @_;
  my $head = "";
  while (defined(my $line = <$c>)) { $head .= $line; last if $line eq "\r\n" || $line eq "\n"; }
  my ($method, $path) = $head =~ m{^(\S+)\s+(\S+)};
  my ($len) = $head =~ m{^Content-Length:\s*(\d+)}mi;
  my $body = "";
  read($c, $body, $len) if $len;
  return ($method // "", $path // "", $head, $body);
}

sub relay {
  my ($c, $head, $body) = @_;
  my $up = IO::Socket::INET->new(PeerAddr => "127.0.0.1", PeerPort => $inner) or return respond($c, "502 Bad Gateway", "text/plain", "engine unreachable");
  $head =~ s/^Connection:[^\n]*\n//mgi;
  $head =~ s/\r?\n\r?\n\z/\r\nConnection: close\r\n\r\n/;
  syswrite($up, $head . $body);
  my $buf;
  while (my $n = sysread($up, $buf, 65536)) { last unless defined syswrite($c, $buf); }
  close $up;
  close $c;
}

start_engine();
my $srv = IO::Socket::INET->new(LocalAddr => $host, LocalPort => $port, Listen => 64, ReuseAddr => 1) or die "stand-in vllm: cannot listen on $host:$port: $!\n";
log_line("sleep mode on: /sleep, /wake_up, /is_sleeping");
my $sel = IO::Select->new($srv);
for (;;) {
  # A crashed engine (not asleep) takes the container down, as a crashed vLLM does.
  while ((my $pid = waitpid(-1, WNOHANG)) > 0) {
    if (defined $engine_pid && $pid == $engine_pid && !$sleeping) { my $code = $? >> 8; log_line("the engine exited ($code)"); exit($code || 1); }
  }
  next unless $sel->can_read(0.25);
  my $c = $srv->accept or next;
  my ($method, $path, $head, $body) = read_request($c);
  if ($method eq "POST" && $path =~ m{^/sleep}) {
    my ($level) = $path =~ m{level=(\d+)};
    stop_engine() unless $sleeping;
    $sleeping = 1;
    log_line("sleeping (level " . ($level // 1) . "): weights offloaded, KV cache discarded");
    respond($c, "200 OK", "text/plain", "");
  } elsif ($method eq "POST" && $path =~ m{^/wake_up}) {
    if ($sleeping) { start_engine(); $sleeping = 0; log_line("woke up"); }
    respond($c, "200 OK", "text/plain", "");
  } elsif ($path =~ m{^/is_sleeping}) {
    respond($c, "200 OK", "application/json", '{"is_sleeping":' . ($sleeping ? "true" : "false") . '}');
  } elsif ($sleeping && $path =~ m{^/health}) {
    respond($c, "200 OK", "text/plain", "");
  } elsif ($sleeping) {
    respond($c, "503 Service Unavailable", "application/json", '{"object":"error","message":"the engine is sleeping","code":503}');
  } else {
    my $pid = fork();
    if (defined $pid && $pid == 0) { $SIG{TERM} = 'DEFAULT'; close $srv; relay($c, $head, $body); exit 0; }
    close $c;
  }
}
