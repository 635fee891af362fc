# PM25_DATABASE_URL is a postgresql:// URL or libpq key=value settings,
# and nothing else: a malformed URL (an IPv6 bracket left open, a bad
# percent escape) is refused as a mistake (exit 2), a value of another
# scheme or of no scheme is refused without becoming a SQLite file named
# after it, key=value settings are PostgreSQL (here: nobody listens, so
# exit 4). No message shows the password, however libpq quotes the URL.
. "$SRC/tests/cli/lib.sh"
pm25 init > /dev/null
mkdir cwd
cd cwd
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
for url in \
	"postgresql://pm25:s3cr3tpw@[::1:$port/pm25" \
	"postgresql://pm25:s3cr3t%zzpw@127.0.0.1:$port/pm25" \
	"postgresql://pm25:s3cr3tpw@127.0.0.1:$port/pm25?connect_timeout=2&sslmode=nonsense" \
	"mysql://pm25:s3cr3tpw@127.0.0.1/pm25" \
	"s3cr3tpw.db" \
	"host=127.0.0.1 port=$port user=pm25 password=s3cr3tpw dbname=pm25 connect_timeout=2" \
	"host=127.0.0.1 port=$port password='s3cr3tpw' dbname"; do
	PM25_DATABASE_URL=$url pm25 flow-run ls > out.txt 2> err.txt
	echo "exit $?: $(sed "s/$port/PORT/g" err.txt | cut -c1-150)"
	cat out.txt err.txt | grep -c "s3cr3t" | sed 's/^/  password shown: /'
done
echo "files made: $(ls | grep -v -e '^out.txt$' -e '^err.txt$' | wc -l)"
