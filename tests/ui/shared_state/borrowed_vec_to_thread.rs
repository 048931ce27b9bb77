// thread::spawn needs a 'static closure: the thread may outlive a borrow.
fn square_all(numbers: &mut Vec<u64>) {
    std::thread::spawn(move || {
        for n in numbers.iter_mut() {
            *n *= *n;
        }
    });
}

fn main() {
    let _ = square_all;
}
