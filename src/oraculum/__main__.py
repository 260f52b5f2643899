from oraculum.cli import main

main()
